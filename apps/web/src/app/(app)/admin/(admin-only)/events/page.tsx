'use client';
import { useLocale, useTranslations } from 'next-intl';
import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { SecretOnce } from '@/components/SecretOnce';
import { ErrorNote, Loading, errorMessage } from '@/components/Feedback';
import { buttonClass, TextField } from '@/components/forms/fields';
import { formatDateTime } from '@/lib/format';
import {
  CREATE_EVENT_ENDPOINT,
  EVENT_ENDPOINTS,
  REDELIVER_EVENT,
  REVOKE_EVENT_ENDPOINT,
  ROTATE_EVENT_ENDPOINT,
} from '@/lib/queries';
import type { EventDeliveryRow, EventEndpoint } from '@/lib/types';
import { DataTable } from '@/components/DataTable';

const POLL_MS = 5000;
/** The event types an endpoint can ask for (apps/api lib/events.ts). */
const EVENT_TYPES = ['run.finished', 'score.changed', 'regrade.completed', 'student.stuck'] as const;

function CreateForm({ onCreated }: { onCreated: (e: EventEndpoint, secret: string) => void }) {
  const t = useTranslations('events');
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [course, setCourse] = useState('');
  const [events, setEvents] = useState<string[]>(['run.finished']);
  const [error, setError] = useState<string | null>(null);
  const [state, create] = useMutation<{ createEventEndpoint: { endpoint: EventEndpoint; secret: string } }>(
    CREATE_EVENT_ENDPOINT,
  );

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    if (!events.length) return setError(t('needEvent'));
    const res = await create({
      input: { name: name.trim(), url: url.trim(), courseSlug: course.trim(), events },
    });
    if (res.error) return setError(errorMessage(res.error));
    if (res.data) {
      onCreated(res.data.createEventEndpoint.endpoint, res.data.createEventEndpoint.secret);
      setName('');
      setUrl('');
    }
  }

  return (
    <form
      onSubmit={submit}
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
      aria-labelledby="event-create-heading"
    >
      <h2 id="event-create-heading" className="text-lg font-semibold">
        {t('create')}
      </h2>
      <div className="flex flex-wrap items-end gap-4">
        <TextField
          id="ev-name"
          label={t('name')}
          controlClass="w-56"
          required
          maxLength={100}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <TextField
          id="ev-course"
          label={t('course')}
          controlClass="w-44 font-mono"
          required
          value={course}
          onChange={(e) => setCourse(e.target.value)}
        />
        <TextField
          id="ev-url"
          label={t('url')}
          controlClass="w-96 font-mono"
          required
          type="url"
          maxLength={2000}
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder="https://"
        />
      </div>
      <fieldset>
        <legend className="text-sm font-medium">{t('events')}</legend>
        <div className="mt-1 flex flex-wrap gap-4">
          {EVENT_TYPES.map((ev) => (
            <label key={ev} className="inline-flex items-center gap-1.5 text-sm">
              <input
                type="checkbox"
                checked={events.includes(ev)}
                onChange={(e) =>
                  setEvents((cur) => (e.target.checked ? [...cur, ev] : cur.filter((x) => x !== ev)))
                }
              />
              <code className="font-mono">{ev}</code>
              <span className="text-slate-600">{t(`event.${ev.replace('.', '_')}`)}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <button
        type="submit"
        className={buttonClass.primary}
        disabled={!name.trim() || !url.trim() || !course.trim() || state.fetching}
      >
        {t('createButton')}
      </button>
      {error && (
        <p role="alert" className="text-sm text-red-900">
          {error}
        </p>
      )}
    </form>
  );
}

function statusClass(status: EventDeliveryRow['status']): string {
  if (status === 'delivered') return 'text-green-900';
  if (status === 'failed') return 'text-red-900';
  return 'text-slate-700';
}

function EndpointCard({
  endpoint,
  onRotate,
  onRevoke,
  onRedeliver,
}: {
  endpoint: EventEndpoint;
  onRotate: () => void;
  onRevoke: () => void;
  onRedeliver: (d: EventDeliveryRow) => void;
}) {
  const t = useTranslations('events');
  const locale = useLocale();
  return (
    <section
      aria-labelledby={`ep-${endpoint.id}`}
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
      data-endpoint={endpoint.id}
    >
      <div className="flex flex-wrap items-center gap-3">
        <h2 id={`ep-${endpoint.id}`} className="text-lg font-semibold">
          {endpoint.name}
        </h2>
        <span
          className={`rounded-full px-2 py-0.5 text-xs font-semibold ${endpoint.active ? 'bg-green-100 text-green-900' : 'bg-slate-200 text-slate-700'}`}
        >
          {endpoint.active ? t('active') : t('revoked')}
        </span>
        <span className="text-sm text-slate-600">
          <code className="font-mono">{endpoint.courseSlug}</code> · {endpoint.events.join(', ')} ·{' '}
          {t('activeSecrets', { count: endpoint.activeSecrets })} · {t('created')}{' '}
          {formatDateTime(endpoint.createdAt, locale)}
        </span>
        {endpoint.active && (
          <div className="ml-auto flex gap-2">
            <button type="button" onClick={onRotate} className={buttonClass.secondary}>
              {t('rotate')}
            </button>
            <button type="button" onClick={onRevoke} className={buttonClass.danger}>
              {t('revoke')}
            </button>
          </div>
        )}
      </div>
      <p className="text-sm">
        <span className="font-medium">{t('url')}:</span>{' '}
        <code className="break-all font-mono">{endpoint.url}</code>
      </p>
      <details open={endpoint.deliveries.length > 0}>
        <summary className="cursor-pointer font-medium text-blue-800 hover:underline">
          {t('deliveries', { count: endpoint.deliveries.length })}
        </summary>
        {endpoint.deliveries.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">{t('noDeliveries')}</p>
        ) : (
          <DataTable
            label={t('deliveries', { count: endpoint.deliveries.length })}
            className="mt-2"
            testId="event-deliveries"
          >
            <thead>
              <tr className="border-b border-slate-300">
                {(['createdAt', 'eventType', 'status', 'attempts', 'response', 'error'] as const).map((k) => (
                  <th key={k} scope="col" className="py-1.5 pr-4">
                    {t(k)}
                  </th>
                ))}
                <th scope="col" className="sr-only">
                  {t('redeliver')}
                </th>
              </tr>
            </thead>
            <tbody>
              {endpoint.deliveries.map((d) => (
                <tr key={d.id} className="border-b border-slate-200" data-delivery={d.id}>
                  <td className="py-1.5 pr-4 tabular-nums">{formatDateTime(d.createdAt, locale)}</td>
                  <th scope="row" className="py-1.5 pr-4 font-mono text-xs font-normal">
                    {d.eventType}
                  </th>
                  <td className={`py-1.5 pr-4 font-semibold ${statusClass(d.status)}`}>
                    {t(`deliveryStatus.${d.status}`)}
                  </td>
                  <td className="py-1.5 pr-4 tabular-nums">{d.attempts}</td>
                  <td className="py-1.5 pr-4 tabular-nums">
                    {d.lastStatusCode ?? '—'}
                    {d.lastResponseMs !== null && ` · ${t('responseTime', { ms: d.lastResponseMs })}`}
                  </td>
                  <td className="max-w-xs truncate py-1.5 pr-4" title={d.lastError ?? undefined}>
                    {d.lastError ?? '—'}
                  </td>
                  <td className="py-1.5">
                    {endpoint.active && (d.status === 'failed' || d.status === 'delivered') && (
                      <button type="button" onClick={() => onRedeliver(d)} className={buttonClass.secondary}>
                        {t('redeliver')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        )}
      </details>
    </section>
  );
}

function EventsAdmin() {
  const t = useTranslations('events');
  const [{ data, error }, refetch] = useQuery<{ eventEndpoints: EventEndpoint[] }>({
    query: EVENT_ENDPOINTS,
  });
  const [, rotate] = useMutation<{ rotateEventEndpointSecret: { endpoint: EventEndpoint; secret: string } }>(
    ROTATE_EVENT_ENDPOINT,
  );
  const [revokeState, revoke] = useMutation<{ revokeEventEndpoint: EventEndpoint }>(REVOKE_EVENT_ENDPOINT);
  const [, redeliver] = useMutation<{ redeliverEvent: { id: string; status: string } }>(REDELIVER_EVENT);
  const [shown, setShown] = useState<{ endpoint: EventEndpoint; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<EventEndpoint | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const reload = () => refetch({ requestPolicy: 'network-only' });

  // Deliveries change as the worker sends and retries them.
  useEffect(() => {
    const id = window.setInterval(() => refetch({ requestPolicy: 'network-only' }), POLL_MS);
    return () => window.clearInterval(id);
  }, [refetch]);

  if (error && !data) return <ErrorNote error={error} onRetry={reload} />;
  if (!data) return <Loading />;
  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">{t('title')}</h1>
        <button type="button" onClick={reload} className={buttonClass.secondary}>
          {t('refresh')}
        </button>
      </div>
      <p className="text-slate-700">{t('intro')}</p>
      {shown && (
        <SecretOnce
          id="event"
          title={t('secretTitle', { name: shown.endpoint.name })}
          notice={t('secretOnce')}
          label={t('secret')}
          savedLabel={t('secretSaved')}
          secret={shown.secret}
          onDismiss={() => setShown(null)}
        />
      )}
      <CreateForm
        onCreated={(endpoint, secret) => {
          setShown({ endpoint, secret });
          reload();
        }}
      />
      {actionError && (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-red-900">
          {actionError}
        </p>
      )}
      {data.eventEndpoints.length === 0 && <p className="text-slate-600">{t('none')}</p>}
      {data.eventEndpoints.map((ep) => (
        <EndpointCard
          key={ep.id}
          endpoint={ep}
          onRotate={async () => {
            setActionError(null);
            const res = await rotate({ id: ep.id });
            if (res.error) return setActionError(errorMessage(res.error));
            if (res.data) setShown(res.data.rotateEventEndpointSecret);
            reload();
          }}
          onRevoke={() => setRevoking(ep)}
          onRedeliver={async (d) => {
            setActionError(null);
            const res = await redeliver({ id: d.id });
            if (res.error) setActionError(errorMessage(res.error));
            reload();
          }}
        />
      ))}
      <ConfirmDialog
        open={revoking !== null}
        title={t('revokeTitle', { name: revoking?.name ?? '' })}
        confirmLabel={t('revoke')}
        danger
        busy={revokeState.fetching}
        onCancel={() => setRevoking(null)}
        onConfirm={async () => {
          if (!revoking) return;
          const res = await revoke({ id: revoking.id });
          setRevoking(null);
          if (res.error) setActionError(errorMessage(res.error));
          reload();
        }}
      >
        <p>{t('revokeExplain')}</p>
      </ConfirmDialog>
    </div>
  );
}

/** Admin: endpoints for a course's signed outbound events, their secrets (shown once, rotate) and delivery log (redeliver). */
export default function EventsPage() {
  return <EventsAdmin />;
}
