import { getTranslations } from 'next-intl/server';
import { ApiTokenCreateForm } from '@/components/ApiTokenCreateForm';
import { SecretItemActions } from '@/components/SecretItemActions';
import { DataTable } from '@/components/DataTable';
import { ColumnHeads } from '@/components/EndpointCard';
import { ServerErrorNote } from '@/components/Feedback';
import { LocalDateTime } from '@/components/LocalDateTime';
import { SecretAdminPage } from '@/components/SecretAdminPage';
import type { ApiTokensQuery } from '@/lib/graphql.generated';
import { API_TOKENS } from '@/lib/queries';
import { serverQuery } from '@/lib/server-graphql';
import type { ApiToken } from '@/lib/types';

function statusOf(token: ApiToken): 'active' | 'revoked' | 'expired' {
  if (token.revokedAt) return 'revoked';
  return token.active ? 'active' : 'expired';
}

/** Instructors and admins: API tokens for scripts (create with scopes and expiry, shown once; list; revoke). */
export default async function TokensPage() {
  const [t, result] = await Promise.all([
    getTranslations('apiTokens'),
    serverQuery<ApiTokensQuery>(API_TOKENS),
  ]);
  if (result.error !== null) return <ServerErrorNote message={result.error} />;
  const tokens = result.data.apiTokens;
  return (
    <SecretAdminPage kind="apiTokens" form={<ApiTokenCreateForm />} empty={tokens.length === 0}>
      <DataTable
        label={t('title')}
        className="rounded-lg border border-slate-200 bg-white p-4"
        testId="api-tokens"
      >
        <thead>
          <ColumnHeads
            columns={(
              ['name', 'scopes', 'owner', 'created', 'expires', 'lastUsed', 'status', 'actions'] as const
            ).map((k) => t(k))}
          />
        </thead>
        <tbody>
          {tokens.map((tok) => {
            const status = statusOf(tok);
            return (
              <tr key={tok.id} className="border-b border-slate-200" data-token={tok.id}>
                <th scope="row" className="py-1.5 pr-4 font-medium">
                  {tok.name}
                </th>
                <td className="py-1.5 pr-4 font-mono text-xs">{tok.scopes.join(' ')}</td>
                <td className="py-1.5 pr-4">{tok.ownerEmail}</td>
                <td className="py-1.5 pr-4 tabular-nums">
                  <LocalDateTime iso={tok.createdAt} />
                </td>
                <td className="py-1.5 pr-4 tabular-nums">
                  <LocalDateTime iso={tok.expiresAt} />
                </td>
                <td className="py-1.5 pr-4 tabular-nums">
                  <LocalDateTime iso={tok.lastUsedAt} fallback={t('never')} />
                </td>
                <td
                  className={`py-1.5 pr-4 font-semibold ${status === 'active' ? 'text-green-900' : 'text-slate-700'}`}
                >
                  {t(status)}
                </td>
                <td className="py-1.5 pr-4">
                  {status === 'active' && (
                    <SecretItemActions kind="apiTokens" item={{ id: tok.id, name: tok.name }} />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </DataTable>
    </SecretAdminPage>
  );
}
