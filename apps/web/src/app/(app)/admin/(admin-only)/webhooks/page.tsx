'use client';
import { useLocale, useTranslations } from 'next-intl';
import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { CopyButton } from '@/components/CopyButton';
import { ErrorNote, Loading, errorMessage } from '@/components/Feedback';
import { buttonClass, SelectField, TextField } from '@/components/forms/fields';
import { pick } from '@/i18n/locales';
import { formatDateTime } from '@/lib/format';
import {
  CREATE_WEBHOOK,
  LABS,
  RETIRE_PREVIOUS_WEBHOOK_SECRETS,
  REVOKE_WEBHOOK,
  ROTATE_WEBHOOK,
  WEBHOOKS,
} from '@/lib/queries';
import type { Lab, Webhook } from '@/lib/types';
import { DataTable } from '@/components/DataTable';

const POLL_MS = 10000;

/** The URL and secret, shown once right after create or rotate. */
function SecretOnce({
  webhook,
  secret,
  onDismiss,
}: {
  webhook: Webhook;
  secret: string;
  onDismiss: () => void;
}) {
  const t = useTranslations('webhooks');
  return (
    <section
      aria-labelledby="secret-heading"
      className="space-y-3 rounded-lg border-2 border-amber-400 bg-amber-50 p-4"
      data-testid="webhook-secret"
    >
      <h2 id="secret-heading" className="font-bold">
        {t('secretTitle', { name: webhook.name })}
      </h2>
      <p className="text-sm text-amber-950">{t('secretOnce')}</p>
      <div className="grid gap-2 sm:grid-cols-[max-content_1fr_max-content] sm:items-center">
        <span className="text-sm font-medium">{t('url')}</span>
        <input
          readOnly
          value={webhook.url}
          aria-label={t('url')}
          data-testid="webhook-url"
          className="rounded border border-slate-300 bg-white px-2 py-1 font-mono text-sm"
          onFocus={(e) => e.target.select()}
        />
        <CopyButton text={webhook.url} />
        <span className="text-sm font-medium">{t('secret')}</span>
        <input
          readOnly
          value={secret}
          aria-label={t('secret')}
          data-testid="webhook-secret-value"
          className="rounded border border-slate-300 bg-white px-2 py-1 font-mono text-sm"
          onFocus={(e) => e.target.select()}
        />
        <CopyButton text={secret} />
      </div>
      <button type="button" onClick={onDismiss} className={buttonClass.secondary}>
        {t('secretSaved')}
      </button>
    </section>
  );
}

function CreateForm({ labs, onCreated }: { labs: Lab[]; onCreated: (w: Webhook, secret: string) => void }) {
  const t = useTranslations('webhooks');
  const locale = useLocale();
  const [name, setName] = useState('');
  const [scopeKind, setScopeKind] = useState<Webhook['scopeKind']>('ALL');
  const [labIds, setLabIds] = useState<string[]>([]);
  const [namespaces, setNamespaces] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [state, create] = useMutation<{ createWebhook: { webhook: Webhook; secret: string } }>(
    CREATE_WEBHOOK,
  );

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const input = {
      name: name.trim(),
      scopeKind,
      labs: scopeKind === 'LABS' ? labIds : undefined,
      namespaces: scopeKind === 'NAMESPACES' ? namespaces.split(/[\s,]+/).filter(Boolean) : undefined,
    };
    const res = await create({ input });
    if (res.error) return setError(errorMessage(res.error));
    if (res.data) {
      onCreated(res.data.createWebhook.webhook, res.data.createWebhook.secret);
      setName('');
    }
  }

  return (
    <form
      onSubmit={submit}
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
      aria-labelledby="create-heading"
    >
      <h2 id="create-heading" className="text-lg font-semibold">
        {t('create')}
      </h2>
      <div className="flex flex-wrap items-end gap-4">
        <TextField
          id="wh-name"
          label={t('name')}
          controlClass="w-64"
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <SelectField
          id="wh-scope"
          label={t('scope')}
          value={scopeKind}
          onChange={(e) => setScopeKind(e.target.value as Webhook['scopeKind'])}
        >
          <option value="ALL">{t('scopeALL')}</option>
          <option value="LABS">{t('scopeLABS')}</option>
          <option value="NAMESPACES">{t('scopeNAMESPACES')}</option>
        </SelectField>
        {scopeKind === 'LABS' && (
          <fieldset>
            <legend className="text-sm font-medium">{t('labs')}</legend>
            <div className="mt-1 flex flex-wrap gap-3">
              {labs.map((lab) => (
                <label key={lab.id} className="inline-flex items-center gap-1.5 text-sm">
                  <input
                    type="checkbox"
                    checked={labIds.includes(lab.id)}
                    onChange={(e) =>
                      setLabIds((cur) =>
                        e.target.checked ? [...cur, lab.id] : cur.filter((id) => id !== lab.id),
                      )
                    }
                  />
                  {pick(lab.title, locale)}
                </label>
              ))}
            </div>
          </fieldset>
        )}
        {scopeKind === 'NAMESPACES' && (
          <TextField
            id="wh-ns"
            label={t('namespaces')}
            controlClass="w-64"
            value={namespaces}
            onChange={(e) => setNamespaces(e.target.value)}
            placeholder="ns-a, ns-b"
          />
        )}
        <button type="submit" className={buttonClass.primary} disabled={!name.trim() || state.fetching}>
          {t('createButton')}
        </button>
      </div>
      {error && (
        <p role="alert" className="text-sm text-red-900">
          {error}
        </p>
      )}
    </form>
  );
}

function outcomeClass(outcome: string): string {
  const o = outcome.toLowerCase();
  if (o.startsWith('accept') || o === 'ok' || o === 'queued') return 'text-green-900';
  if (o.startsWith('dup')) return 'text-slate-700';
  return 'text-red-900';
}

function WebhookCard({
  webhook,
  onRotate,
  onRetirePrevious,
  onRevoke,
}: {
  webhook: Webhook;
  onRotate: () => void;
  onRetirePrevious: () => void;
  onRevoke: () => void;
}) {
  const t = useTranslations('webhooks');
  const locale = useLocale();
  return (
    <section
      aria-labelledby={`wh-${webhook.id}`}
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
      data-webhook={webhook.id}
    >
      <div className="flex flex-wrap items-center gap-3">
        <h2 id={`wh-${webhook.id}`} className="text-lg font-semibold">
          {webhook.name}
        </h2>
        <span
          className={`rounded-full px-2 py-0.5 text-xs font-semibold ${webhook.active ? 'bg-green-100 text-green-900' : 'bg-slate-200 text-slate-700'}`}
        >
          {webhook.active ? t('active') : t('revoked')}
        </span>
        <span className="text-sm text-slate-600">
          {t(`scope${webhook.scopeKind}`)}
          {webhook.scopeKind === 'LABS' && `: ${webhook.labs.join(', ')}`}
          {webhook.scopeKind === 'NAMESPACES' && `: ${webhook.namespaces.join(', ')}`}
          {' · '}
          {t('activeSecrets', { count: webhook.activeSecrets })} · {t('created')}{' '}
          {formatDateTime(webhook.createdAt, locale)}
        </span>
        {webhook.active && (
          <div className="ml-auto flex gap-2">
            <button type="button" onClick={onRotate} className={buttonClass.secondary}>
              {t('rotate')}
            </button>
            {webhook.activeSecrets > 1 && (
              <button type="button" onClick={onRetirePrevious} className={buttonClass.secondary}>
                {t('retirePrevious')}
              </button>
            )}
            <button type="button" onClick={onRevoke} className={buttonClass.danger}>
              {t('revoke')}
            </button>
          </div>
        )}
      </div>
      <p className="flex items-center gap-2 text-sm">
        <span className="font-medium">{t('url')}:</span>{' '}
        <code className="break-all font-mono">{webhook.url}</code> <CopyButton text={webhook.url} />
      </p>
      <details open={webhook.deliveries.length > 0}>
        <summary className="cursor-pointer font-medium text-blue-800 hover:underline">
          {t('deliveries', { count: webhook.deliveries.length })}
        </summary>
        {webhook.deliveries.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">{t('noDeliveries')}</p>
        ) : (
          <DataTable
            label={t('deliveries', { count: webhook.deliveries.length })}
            className="mt-2"
            testId="deliveries"
          >
            <thead>
              <tr className="border-b border-slate-300">
                <th scope="col" className="py-1.5 pr-4">
                  {t('receivedAt')}
                </th>
                <th scope="col" className="py-1.5 pr-4">
                  {t('deliveryId')}
                </th>
                <th scope="col" className="py-1.5 pr-4">
                  {t('outcome')}
                </th>
                <th scope="col" className="py-1.5 pr-4">
                  {t('reason')}
                </th>
                <th scope="col" className="py-1.5 pr-4">
                  {t('runs')}
                </th>
              </tr>
            </thead>
            <tbody>
              {webhook.deliveries.map((d) => (
                <tr key={d.id} className="border-b border-slate-200" data-delivery={d.deliveryId}>
                  <td className="py-1.5 pr-4 tabular-nums">{formatDateTime(d.receivedAt, locale)}</td>
                  <th scope="row" className="py-1.5 pr-4 font-mono text-xs font-normal">
                    {d.deliveryId}
                  </th>
                  <td className={`py-1.5 pr-4 font-semibold ${outcomeClass(d.outcome)}`}>{d.outcome}</td>
                  <td className="py-1.5 pr-4">{d.reason ?? '—'}</td>
                  <td className="py-1.5 pr-4 tabular-nums">{d.runIds.length}</td>
                </tr>
              ))}
            </tbody>
          </DataTable>
        )}
      </details>
    </section>
  );
}

function WebhooksAdmin() {
  const t = useTranslations('webhooks');
  const [{ data, error }, refetch] = useQuery<{ webhooks: Webhook[] }>({ query: WEBHOOKS });
  const [labs] = useQuery<{ labs: Lab[] }>({ query: LABS });
  const [, rotate] = useMutation<{ rotateWebhookSecret: { webhook: Webhook; secret: string } }>(
    ROTATE_WEBHOOK,
  );
  const [revokeState, revoke] = useMutation<{ revokeWebhook: Webhook }>(REVOKE_WEBHOOK);
  const [, retirePrevious] = useMutation<{ retirePreviousWebhookSecrets: Webhook }>(
    RETIRE_PREVIOUS_WEBHOOK_SECRETS,
  );
  const [shown, setShown] = useState<{ webhook: Webhook; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<Webhook | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  // The delivery log fills in as deliveries arrive; a slow poll keeps it current.
  useEffect(() => {
    const id = window.setInterval(() => refetch({ requestPolicy: 'network-only' }), POLL_MS);
    return () => window.clearInterval(id);
  }, [refetch]);

  if (error && !data)
    return <ErrorNote error={error} onRetry={() => refetch({ requestPolicy: 'network-only' })} />;
  if (!data) return <Loading />;
  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">{t('title')}</h1>
        <button
          type="button"
          onClick={() => refetch({ requestPolicy: 'network-only' })}
          className={buttonClass.secondary}
        >
          {t('refresh')}
        </button>
      </div>
      <p className="text-slate-700">{t('intro')}</p>
      {shown && <SecretOnce webhook={shown.webhook} secret={shown.secret} onDismiss={() => setShown(null)} />}
      <CreateForm
        labs={labs.data?.labs ?? []}
        onCreated={(webhook, secret) => {
          setShown({ webhook, secret });
          refetch({ requestPolicy: 'network-only' });
        }}
      />
      {actionError && (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-red-900">
          {actionError}
        </p>
      )}
      {data.webhooks.length === 0 && <p className="text-slate-600">{t('none')}</p>}
      {data.webhooks.map((w) => (
        <WebhookCard
          key={w.id}
          webhook={w}
          onRotate={async () => {
            setActionError(null);
            const res = await rotate({ id: w.id });
            if (res.error) return setActionError(errorMessage(res.error));
            if (res.data) setShown(res.data.rotateWebhookSecret);
          }}
          onRetirePrevious={async () => {
            setActionError(null);
            const res = await retirePrevious({ id: w.id });
            if (res.error) return setActionError(errorMessage(res.error));
            refetch({ requestPolicy: 'network-only' });
          }}
          onRevoke={() => setRevoking(w)}
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
          refetch({ requestPolicy: 'network-only' });
        }}
      >
        <p>{t('revokeExplain')}</p>
      </ConfirmDialog>
    </div>
  );
}

/** Admin: regrade webhooks (create, copy URL and secret once, rotate, revoke) and their delivery log. */
export default function WebhooksPage() {
  return <WebhooksAdmin />;
}
