'use client';
import { useLocale, useTranslations } from 'next-intl';
import Link from 'next/link';
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { ErrorNote, Loading, errorMessage } from '@/components/Feedback';
import { pick } from '@/i18n/locales';
import { LABS, SET_LAB_DISRUPTIVE, SET_LAB_ENABLED } from '@/lib/queries';
import { LAB_LIVE_FLAGS, SET_LAB_LIVE } from '@/lib/live';
import type { Lab } from '@/lib/types';
import { DataTable } from '@/components/DataTable';

/**
 * An on/off switch that is a real checkbox underneath (keyboard and screen readers for free). It
 * flips at once and settles on the server's answer (or flips back if the change was refused).
 */
function Toggle({
  id,
  checked,
  label,
  ariaLabel,
  disabled,
  onChange,
}: {
  id: string;
  checked: boolean;
  label: (on: boolean) => string;
  ariaLabel: string;
  disabled: boolean;
  onChange: (v: boolean) => Promise<void>;
}) {
  const [pending, setPending] = useState<boolean | null>(null);
  const shown = pending ?? checked;
  return (
    <label htmlFor={id} className="inline-flex cursor-pointer items-center gap-2">
      <input
        id={id}
        type="checkbox"
        role="switch"
        aria-label={ariaLabel}
        className="peer sr-only"
        checked={shown}
        disabled={disabled}
        onChange={(e) => {
          const next = e.target.checked;
          setPending(next);
          void onChange(next).finally(() => setPending(null));
        }}
      />
      <span
        aria-hidden="true"
        className="relative h-6 w-11 rounded-full bg-slate-400 transition peer-checked:bg-green-700 peer-focus-visible:outline peer-focus-visible:outline-3 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-blue-700 after:absolute after:left-0.5 after:top-0.5 after:h-5 after:w-5 after:rounded-full after:bg-white after:transition peer-checked:after:translate-x-5"
      />
      <span aria-hidden="true" className="text-sm font-medium">
        {label(shown)}
      </span>
    </label>
  );
}

function LabsAdmin() {
  const t = useTranslations('adminLabs');
  const locale = useLocale();
  const [{ data, error }, refetch] = useQuery<{ labs: Lab[] }>({ query: LABS });
  const [enabledState, setEnabled] = useMutation<{ setLabEnabled: Lab }>(SET_LAB_ENABLED);
  const [disruptiveState, setDisruptive] = useMutation<{ setLabDisruptive: Lab }>(SET_LAB_DISRUPTIVE);
  const [liveFlags, refetchLive] = useQuery<{ labs: { id: string; liveEnabled: boolean }[] }>({
    query: LAB_LIVE_FLAGS,
  });
  const [liveState, setLive] = useMutation<{ setLabLive: { id: string; liveEnabled: boolean } }>(
    SET_LAB_LIVE,
  );
  const [actionError, setActionError] = useState<string | null>(null);
  const [saved, setSaved] = useState('');
  const busy = enabledState.fetching || disruptiveState.fetching || liveState.fetching;
  const liveOf = (labId: string) => liveFlags.data?.labs.find((l) => l.id === labId)?.liveEnabled ?? false;

  if (error && !data)
    return <ErrorNote error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />;
  if (!data) return <Loading />;
  return (
    <div className="space-y-5">
      <h1 className="text-2xl font-bold">{t('title')}</h1>
      <p className="text-slate-700">{t('intro')}</p>
      <p role="status" className="text-sm font-medium text-green-900">
        {saved}
      </p>
      {actionError && (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-red-900">
          {actionError}
        </p>
      )}
      <DataTable label={t('title')} className="rounded-lg border border-slate-200 bg-white">
        <thead className="bg-slate-100">
          <tr>
            <th scope="col" className="px-4 py-2">
              {t('lab')}
            </th>
            <th scope="col" className="px-4 py-2">
              {t('checks')}
            </th>
            <th scope="col" className="px-4 py-2">
              {t('enabled')}
            </th>
            <th scope="col" className="px-4 py-2">
              {t('disruptive')}
            </th>
            <th scope="col" className="px-4 py-2">
              {t('live')}
            </th>
            <th scope="col" className="px-4 py-2">
              <span className="sr-only">{t('scoreboard')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {data.labs.map((lab) => {
            const title = pick(lab.title, locale);
            return (
              <tr key={lab.id} className="border-t border-slate-200 align-top" data-lab={lab.id}>
                <th scope="row" className="px-4 py-3 font-normal">
                  <div className="font-semibold">{title}</div>
                  <div className="text-xs text-slate-600">
                    <code className="font-mono">{lab.id}</code> · v{lab.version}
                  </div>
                </th>
                <td className="px-4 py-3">
                  <ul className="space-y-0.5">
                    {lab.checks.map((c) => (
                      <li key={c.id}>
                        {pick(c.title, locale)} <span className="text-slate-600">({c.points})</span>
                        {c.disruptive && (
                          <span className="ml-1 text-xs font-semibold text-amber-800">
                            {t('disruptiveTag')}
                          </span>
                        )}
                      </li>
                    ))}
                  </ul>
                </td>
                <td className="px-4 py-3">
                  <Toggle
                    id={`enabled-${lab.id}`}
                    checked={lab.enabled}
                    disabled={busy}
                    label={(on) => (on ? t('on') : t('off'))}
                    ariaLabel={t('enabledFor', { lab: title })}
                    onChange={async (v) => {
                      setActionError(null);
                      const res = await setEnabled({ labId: lab.id, enabled: v });
                      setSaved('');
                      if (res.error) setActionError(errorMessage(res.error));
                      else setSaved(t('saved', { lab: title }));
                    }}
                  />
                </td>
                <td className="px-4 py-3">
                  <Toggle
                    id={`disruptive-${lab.id}`}
                    checked={lab.disruptiveEnabled}
                    disabled={busy}
                    label={(on) => (on ? t('disruptiveOn') : t('disruptiveOff'))}
                    ariaLabel={t('disruptiveFor', { lab: title })}
                    onChange={async (v) => {
                      setActionError(null);
                      const res = await setDisruptive({ labId: lab.id, enabled: v });
                      setSaved('');
                      if (res.error) setActionError(errorMessage(res.error));
                      else setSaved(t('saved', { lab: title }));
                    }}
                  />
                </td>
                <td className="px-4 py-3">
                  <Toggle
                    id={`live-${lab.id}`}
                    checked={liveOf(lab.id)}
                    disabled={busy || !liveFlags.data}
                    label={(on) => (on ? t('liveOn') : t('liveOff'))}
                    ariaLabel={t('liveFor', { lab: title })}
                    onChange={async (v) => {
                      setActionError(null);
                      const res = await setLive({ labId: lab.id, enabled: v });
                      setSaved('');
                      if (res.error) setActionError(errorMessage(res.error));
                      else {
                        setSaved(t('saved', { lab: title }));
                        refetchLive({ requestPolicy: 'network-only' });
                      }
                    }}
                  />
                </td>
                <td className="px-4 py-3">
                  <Link
                    href={`/labs/${encodeURIComponent(lab.id)}/scoreboard`}
                    className="font-medium text-blue-800 underline"
                  >
                    {t('scoreboard')}
                  </Link>
                </td>
              </tr>
            );
          })}
        </tbody>
      </DataTable>
    </div>
  );
}

/** Admin: turn labs on or off and choose whether the disruptive (pod-delete) check runs. */
export default function AdminLabsPage() {
  return <LabsAdmin />;
}
