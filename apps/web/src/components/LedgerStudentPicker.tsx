'use client';
import { useTranslations } from 'next-intl';
import { usePathname, useRouter } from 'next/navigation';
import { useTransition } from 'react';
import type { StudentPickerQuery } from '@/lib/graphql.generated';

/**
 * Staff: whose ledger is shown. The choice is the URL's `?enrollment=` (read by the server page, so
 * a reload or a shared link keeps it); a new choice is a new history entry, so Back returns to the
 * student before.
 */
export function LedgerStudentPicker({
  students,
  current,
}: {
  students: StudentPickerQuery['enrollments'];
  current: string | null;
}) {
  const t = useTranslations('ledger');
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  return (
    <label className="flex items-center gap-2 text-sm">
      {t('student')}
      <select
        value={current ?? ''}
        aria-busy={pending}
        onChange={(e) => {
          const id = e.target.value;
          startTransition(() =>
            router.push(id ? `${pathname}?enrollment=${encodeURIComponent(id)}` : pathname),
          );
        }}
        className="rounded border border-slate-400 px-2 py-1"
        data-testid="ledger-student"
      >
        <option value="">—</option>
        {students.map((s) => (
          <option key={s.id} value={s.id}>
            {s.user.name} ({s.namespace})
          </option>
        ))}
      </select>
    </label>
  );
}
