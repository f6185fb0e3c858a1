'use client';
import { useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import {
  createContext,
  useCallback,
  useContext,
  useMemo,
  useOptimistic,
  useState,
  useTransition,
  type ReactNode,
} from 'react';
import { useMutation, type OperationResult } from 'urql';
import { errorMessage } from './Feedback';
import type {
  SetLabDisruptiveMutation,
  SetLabEnabledMutation,
  SetLabLiveMutation,
} from '@/lib/graphql.generated';
import { SET_LAB_LIVE } from '@/lib/live';
import { SET_LAB_DISRUPTIVE, SET_LAB_ENABLED } from '@/lib/queries';

type SwitchResult = OperationResult<SetLabEnabledMutation | SetLabDisruptiveMutation | SetLabLiveMutation>;

interface Switchboard {
  /** A change is being saved (or the page is being rendered again after one): the switches wait. */
  pending: boolean;
  /** Shows `flip` at once, saves with `mutate`, then renders the server page again. */
  save: (lab: string, flip: () => void, mutate: () => Promise<SwitchResult>) => void;
}

const SwitchboardContext = createContext<Switchboard | null>(null);

/**
 * The admin labs page's client island around its (server-rendered) table: one "saved" status line
 * and one error line for all the switches, and one change at a time. After a change is saved the
 * server page renders again (router.refresh), so the switches show what the api now says.
 */
export function LabSwitchboard({ children }: { children: ReactNode }) {
  const t = useTranslations('adminLabs');
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [saved, setSaved] = useState('');
  const [error, setError] = useState<string | null>(null);

  const save = useCallback<Switchboard['save']>(
    (lab, flip, mutate) => {
      setError(null);
      setSaved('');
      // The switch's optimistic position lasts until this transition (the save and the refresh it
      // starts) is over: then it is the server's answer, or the old position if the change was refused.
      startTransition(async () => {
        flip();
        const res = await mutate();
        if (res.error) {
          setError(errorMessage(res.error));
          return;
        }
        setSaved(t('saved', { lab }));
        startTransition(() => router.refresh());
      });
    },
    [router, t],
  );
  const value = useMemo(() => ({ pending, save }), [pending, save]);

  return (
    <SwitchboardContext.Provider value={value}>
      <p role="status" className="text-sm font-medium text-green-900">
        {saved}
      </p>
      {error && (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-red-900">
          {error}
        </p>
      )}
      {children}
    </SwitchboardContext.Provider>
  );
}

const MUTATIONS = { enabled: SET_LAB_ENABLED, disruptive: SET_LAB_DISRUPTIVE, live: SET_LAB_LIVE };

/**
 * One lab's on/off switch (enabled, disruptive checks or live view), inside a LabSwitchboard. A
 * real checkbox underneath (keyboard and screen readers for free); it flips at once and settles on
 * the server's answer (or flips back if the change was refused).
 */
export function LabSwitch({
  kind,
  labId,
  labTitle,
  checked,
  disabled = false,
}: {
  kind: keyof typeof MUTATIONS;
  labId: string;
  /** The lab's title in the page's language, for the switch's name and the "saved" line. */
  labTitle: string;
  /** What the server page says. */
  checked: boolean;
  disabled?: boolean;
}) {
  const t = useTranslations('adminLabs');
  const board = useContext(SwitchboardContext);
  const [, mutate] = useMutation<
    SetLabEnabledMutation | SetLabDisruptiveMutation | SetLabLiveMutation,
    { labId: string; enabled: boolean }
  >(MUTATIONS[kind]);
  const [shown, setShown] = useOptimistic(checked);
  if (!board) throw new Error('LabSwitch must be inside a LabSwitchboard');
  const id = `${kind}-${labId}`;
  const ariaLabel =
    kind === 'enabled'
      ? t('enabledFor', { lab: labTitle })
      : kind === 'disruptive'
        ? t('disruptiveFor', { lab: labTitle })
        : t('liveFor', { lab: labTitle });
  const text =
    kind === 'disruptive'
      ? t(shown ? 'disruptiveOn' : 'disruptiveOff')
      : kind === 'live'
        ? t(shown ? 'liveOn' : 'liveOff')
        : t(shown ? 'on' : 'off');
  return (
    <label htmlFor={id} className="inline-flex cursor-pointer items-center gap-2">
      <input
        id={id}
        type="checkbox"
        role="switch"
        aria-label={ariaLabel}
        className="peer sr-only"
        checked={shown}
        disabled={disabled || board.pending}
        onChange={(e) => {
          const next = e.target.checked;
          board.save(
            labTitle,
            () => setShown(next),
            () => mutate({ labId, enabled: next }),
          );
        }}
      />
      <span
        aria-hidden="true"
        className="relative h-6 w-11 rounded-full bg-slate-400 transition peer-checked:bg-green-700 peer-focus-visible:outline peer-focus-visible:outline-3 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-blue-700 after:absolute after:left-0.5 after:top-0.5 after:h-5 after:w-5 after:rounded-full after:bg-white after:transition peer-checked:after:translate-x-5"
      />
      <span aria-hidden="true" className="text-sm font-medium">
        {text}
      </span>
    </label>
  );
}
