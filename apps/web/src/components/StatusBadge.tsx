'use client';
import { useTranslations } from 'next-intl';
import type { CheckStatus, RunStatus } from '@/lib/types';

type AnyStatus = CheckStatus | RunStatus;

// Every status has its own icon and word as well as a colour: never colour alone.
const STYLE: Record<AnyStatus, { icon: string; cls: string }> = {
  PASS: { icon: '✓', cls: 'bg-green-100 text-green-900 ring-green-700/30' },
  PASSED: { icon: '✓', cls: 'bg-green-100 text-green-900 ring-green-700/30' },
  FAIL: { icon: '✗', cls: 'bg-red-100 text-red-900 ring-red-700/30' },
  FAILED: { icon: '✗', cls: 'bg-red-100 text-red-900 ring-red-700/30' },
  ERROR: { icon: '⚠', cls: 'bg-amber-100 text-amber-900 ring-amber-700/30' },
  SKIPPED: { icon: '↷', cls: 'bg-slate-100 text-slate-700 ring-slate-500/30' },
  CANCELLED: { icon: '⊘', cls: 'bg-slate-100 text-slate-700 ring-slate-500/30' },
  PENDING: { icon: '○', cls: 'bg-white text-slate-600 ring-slate-400/40' },
  QUEUED: { icon: '⋯', cls: 'bg-sky-50 text-sky-900 ring-sky-700/30' },
  RUNNING: { icon: '', cls: 'bg-sky-100 text-sky-900 ring-sky-700/30' },
};

/** A spinner for "in progress"; decorative (the status word is always next to it). */
export function Spinner({ className = '' }: { className?: string }) {
  return (
    <span
      aria-hidden="true"
      className={`inline-block h-3.5 w-3.5 animate-spin rounded-full border-2 border-current border-t-transparent ${className}`}
    />
  );
}

/** A status as icon + translated word + colour. */
export function StatusBadge({ status, compact = false }: { status: AnyStatus; compact?: boolean }) {
  const t = useTranslations('status');
  const style = STYLE[status];
  return (
    <span
      className={`inline-flex items-center gap-1.5 whitespace-nowrap rounded-full font-medium ring-1 ring-inset ${style.cls} ${
        compact ? 'px-2 py-0.5 text-xs' : 'px-2.5 py-1 text-sm'
      }`}
    >
      {status === 'RUNNING' ? <Spinner /> : <span aria-hidden="true">{style.icon}</span>}
      <span>{t(status)}</span>
    </span>
  );
}
