'use client';
import { useLocale, useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { SecretOnce } from '@/components/SecretOnce';
import { ErrorNote, Loading, errorMessage } from '@/components/Feedback';
import { buttonClass, TextField } from '@/components/forms/fields';
import { formatDateTime } from '@/lib/format';
import { API_TOKENS, CREATE_API_TOKEN, REVOKE_API_TOKEN } from '@/lib/queries';
import type { ApiToken } from '@/lib/types';
import { DataTable } from '@/components/DataTable';

/** The scopes a token may carry, in the order the form shows them (apps/api lib/api-tokens.ts). */
const SCOPES = ['scoreboard:read', 'runs:read', 'regrade:write', 'roster:write'] as const;

function CreateForm({ onCreated }: { onCreated: (token: ApiToken, secret: string) => void }) {
  const t = useTranslations('apiTokens');
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [days, setDays] = useState(90);
  const [error, setError] = useState<string | null>(null);
  const [state, create] = useMutation<{ createApiToken: { apiToken: ApiToken; secret: string } }>(
    CREATE_API_TOKEN,
  );

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    if (!scopes.length) return setError(t('needScope'));
    const res = await create({ input: { name: name.trim(), scopes, expiresInDays: days } });
    if (res.error) return setError(errorMessage(res.error));
    if (res.data) {
      onCreated(res.data.createApiToken.apiToken, res.data.createApiToken.secret);
      setName('');
      setScopes([]);
    }
  }

  return (
    <form
      onSubmit={submit}
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
      aria-labelledby="token-create-heading"
    >
      <h2 id="token-create-heading" className="text-lg font-semibold">
        {t('create')}
      </h2>
      <div className="flex flex-wrap items-end gap-4">
        <TextField
          id="tok-name"
          label={t('name')}
          controlClass="w-64"
          required
          maxLength={100}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <TextField
          id="tok-days"
          label={t('expiresInDays')}
          controlClass="w-28"
          type="number"
          required
          min={1}
          max={366}
          value={days}
          onChange={(e) => setDays(Number(e.target.value))}
        />
      </div>
      <fieldset>
        <legend className="text-sm font-medium">{t('scopes')}</legend>
        <div className="mt-1 flex flex-wrap gap-4">
          {SCOPES.map((s) => (
            <label key={s} className="inline-flex items-center gap-1.5 text-sm">
              <input
                type="checkbox"
                checked={scopes.includes(s)}
                onChange={(e) =>
                  setScopes((cur) => (e.target.checked ? [...cur, s] : cur.filter((x) => x !== s)))
                }
              />
              <code className="font-mono">{s}</code>
              <span className="text-slate-600">{t(`scope.${s}`)}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <button type="submit" className={buttonClass.primary} disabled={!name.trim() || state.fetching}>
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

function statusOf(token: ApiToken): 'active' | 'revoked' | 'expired' {
  if (token.revokedAt) return 'revoked';
  return token.active ? 'active' : 'expired';
}

function TokensAdmin() {
  const t = useTranslations('apiTokens');
  const locale = useLocale();
  const [{ data, error }, refetch] = useQuery<{ apiTokens: ApiToken[] }>({ query: API_TOKENS });
  const [revokeState, revoke] = useMutation<{ revokeApiToken: ApiToken }>(REVOKE_API_TOKEN);
  const [shown, setShown] = useState<{ token: ApiToken; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const reload = () => refetch({ requestPolicy: 'network-only' });

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
          id="token"
          title={t('secretTitle', { name: shown.token.name })}
          notice={t('secretOnce')}
          label={t('token')}
          savedLabel={t('secretSaved')}
          secret={shown.secret}
          onDismiss={() => setShown(null)}
        />
      )}
      <CreateForm
        onCreated={(token, secret) => {
          setShown({ token, secret });
          reload();
        }}
      />
      {actionError && (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-red-900">
          {actionError}
        </p>
      )}
      {data.apiTokens.length === 0 ? (
        <p className="text-slate-600">{t('none')}</p>
      ) : (
        <DataTable
          label={t('title')}
          className="rounded-lg border border-slate-200 bg-white p-4"
          testId="api-tokens"
        >
          <thead>
            <tr className="border-b border-slate-300">
              {(
                ['name', 'scopes', 'owner', 'created', 'expires', 'lastUsed', 'status', 'actions'] as const
              ).map((k) => (
                <th key={k} scope="col" className="py-1.5 pr-4">
                  {t(k)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.apiTokens.map((tok) => {
              const status = statusOf(tok);
              return (
                <tr key={tok.id} className="border-b border-slate-200" data-token={tok.id}>
                  <th scope="row" className="py-1.5 pr-4 font-medium">
                    {tok.name}
                  </th>
                  <td className="py-1.5 pr-4 font-mono text-xs">{tok.scopes.join(' ')}</td>
                  <td className="py-1.5 pr-4">{tok.ownerEmail}</td>
                  <td className="py-1.5 pr-4 tabular-nums">{formatDateTime(tok.createdAt, locale)}</td>
                  <td className="py-1.5 pr-4 tabular-nums">{formatDateTime(tok.expiresAt, locale)}</td>
                  <td className="py-1.5 pr-4 tabular-nums">
                    {tok.lastUsedAt ? formatDateTime(tok.lastUsedAt, locale) : t('never')}
                  </td>
                  <td
                    className={`py-1.5 pr-4 font-semibold ${status === 'active' ? 'text-green-900' : 'text-slate-700'}`}
                  >
                    {t(status)}
                  </td>
                  <td className="py-1.5 pr-4">
                    {status === 'active' && (
                      <button type="button" onClick={() => setRevoking(tok)} className={buttonClass.danger}>
                        {t('revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </DataTable>
      )}
      <ConfirmDialog
        open={revoking !== null}
        title={t('revokeTitle', { name: revoking?.name ?? '' })}
        confirmLabel={t('revoke')}
        danger
        busy={revokeState.fetching}
        onCancel={() => setRevoking(null)}
        onConfirm={async () => {
          if (!revoking) return;
          setActionError(null);
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

/** Instructors and admins: API tokens for scripts (create with scopes and expiry, shown once; list; revoke). */
export default function TokensPage() {
  return <TokensAdmin />;
}
