'use client';
import { useTranslations } from 'next-intl';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import type { SetLabScheduleMutation, SetLabScheduleMutationVariables } from '@/lib/graphql.generated';
import { fromLocalInput, toLocalInput } from '@/lib/local-time';
import { SET_LAB_SCHEDULE } from '@/lib/queries';
import type { LabSchedule, ScorePolicy } from '@/lib/types';
import { errorMessage } from './Feedback';
import { buttonClass, SelectField, TextField } from './forms/fields';
import { useHydrated } from './useHydrated';

const POLICIES: readonly ScorePolicy[] = ['BEST', 'LAST', 'BEST_BEFORE_DUE'];

/**
 * The settings page's dates, late rule and score policy, filled from the server's schedule. The
 * fields are uncontrolled and read on submit, so what is typed before hydration is kept; the dates
 * are shown in the viewer's zone, which only the browser knows, so they fill in once hydrated (a
 * date typed earlier stays: React only moves the default of an untouched input). Saving renders the
 * page again (`router.refresh()`).
 */
export function LabScheduleForm({ labId, schedule }: { labId: string; schedule: LabSchedule }) {
  const t = useTranslations('labSettings');
  const tl = useTranslations('ledger');
  const router = useRouter();
  const hydrated = useHydrated();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [state, save] = useMutation<SetLabScheduleMutation, SetLabScheduleMutationVariables>(
    SET_LAB_SCHEDULE,
  );
  const local = (iso: string | null) => (hydrated ? toLocalInput(iso) : '');

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setMessage(null);
    const form = new FormData(e.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '');
    const penalty = text('latePenaltyPercent');
    const res = await save({
      labId,
      input: {
        opensAt: fromLocalInput(text('opensAt')),
        dueAt: fromLocalInput(text('dueAt')),
        closesAt: fromLocalInput(text('closesAt')),
        latePenaltyPercent: penalty === '' ? null : Number(penalty),
        lateStepHours: Number(text('lateStepHours')),
        lateFloorPercent: Number(text('lateFloorPercent')),
        scorePolicy: text('scorePolicy') as ScorePolicy,
      },
    });
    if (res.error) return setMessage({ ok: false, text: errorMessage(res.error) });
    setMessage({ ok: true, text: t('saved') });
    router.refresh();
  }

  return (
    <form className="space-y-4" onSubmit={submit}>
      <div className="grid gap-4 sm:grid-cols-3">
        <TextField
          id="opensAt"
          name="opensAt"
          type="datetime-local"
          label={t('opensAt')}
          defaultValue={local(schedule.opensAt)}
        />
        <TextField
          id="dueAt"
          name="dueAt"
          type="datetime-local"
          label={t('dueAt')}
          defaultValue={local(schedule.dueAt)}
        />
        <TextField
          id="closesAt"
          name="closesAt"
          type="datetime-local"
          label={t('closesAt')}
          defaultValue={local(schedule.closesAt)}
        />
      </div>
      <div className="grid items-end gap-4 sm:grid-cols-4">
        <TextField
          id="latePenalty"
          name="latePenaltyPercent"
          type="number"
          min="0"
          max="100"
          step="any"
          label={t('latePenalty')}
          defaultValue={schedule.latePenaltyPercent == null ? '' : String(schedule.latePenaltyPercent)}
        />
        <TextField
          id="lateStepHours"
          name="lateStepHours"
          type="number"
          min="1"
          step="1"
          label={t('lateStepHours')}
          defaultValue={String(schedule.lateStepHours)}
        />
        <TextField
          id="lateFloor"
          name="lateFloorPercent"
          type="number"
          min="0"
          max="100"
          step="any"
          label={t('lateFloor')}
          defaultValue={String(schedule.lateFloorPercent)}
        />
        <SelectField id="policy" name="scorePolicy" label={t('policy')} defaultValue={schedule.scorePolicy}>
          {POLICIES.map((p) => (
            <option key={p} value={p}>
              {tl(`policies.${p}`)}
            </option>
          ))}
        </SelectField>
      </div>
      <p className="text-sm text-slate-600">{t('lateHelp')}</p>
      <button type="submit" disabled={!hydrated || state.fetching} className={buttonClass.primary}>
        {t('save')}
      </button>
      {message && (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? 'text-green-900' : 'text-red-900'}>
          {message.text}
        </p>
      )}
    </form>
  );
}
