// Server-rendered parts of the admin pages that list endpoints with secrets: a webhook's or an event
// endpoint's card (name, active/revoked, facts, its action buttons, URL, delivery log) and the column
// heads of their tables (the API tokens' too).
import { getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import { CopyButton } from './CopyButton';
import { DataTable } from './DataTable';
import { LocalDateTime } from './LocalDateTime';
import type { SecretKind } from './secret-kinds';
import { SecretItemActions } from './SecretItemActions';

/** A table's column: its head, or one that only screen readers hear (a column of buttons). */
export type Column = string | { label: string; hidden: true };

/** The head row of a table whose columns are all `scope="col"`. */
export function ColumnHeads({ columns }: { columns: Column[] }) {
  return (
    <tr className="border-b border-slate-300">
      {columns.map((c) =>
        typeof c === 'string' ? (
          <th key={c} scope="col" className="py-1.5 pr-4">
            {c}
          </th>
        ) : (
          <th key={c.label} scope="col" className="sr-only">
            {c.label}
          </th>
        ),
      )}
    </tr>
  );
}

/**
 * One webhook or event endpoint: its name, active or revoked, what it covers (`scope`), how many
 * secrets are valid and when it was made, rotate/revoke while active, its URL and its delivery log
 * (open when it has rows; the rows are the children). Texts: the kind's `active`, `revoked`,
 * `activeSecrets`, `created`, `url`, `deliveries` and `noDeliveries`.
 */
export async function EndpointCard({
  kind,
  endpoint,
  scope,
  logTestId,
  columns,
  children,
}: {
  kind: Extract<SecretKind, 'webhooks' | 'events'>;
  endpoint: {
    id: string;
    name: string;
    url: string;
    active: boolean;
    activeSecrets: number;
    createdAt: string;
    deliveries: unknown[];
  };
  scope: ReactNode;
  logTestId: string;
  columns: Column[];
  children: ReactNode;
}) {
  const t = await getTranslations(kind);
  const { id, name, url, active, activeSecrets, deliveries } = endpoint;
  const headingId = `${kind}-${id}`;
  const log = t('deliveries', { count: deliveries.length });
  return (
    <section
      aria-labelledby={headingId}
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
      data-endpoint={id}
    >
      <div className="flex flex-wrap items-center gap-3">
        <h2 id={headingId} className="text-lg font-semibold">
          {name}
        </h2>
        <span
          className={`rounded-full px-2 py-0.5 text-xs font-semibold ${active ? 'bg-green-100 text-green-900' : 'bg-slate-200 text-slate-700'}`}
        >
          {active ? t('active') : t('revoked')}
        </span>
        <span className="text-sm text-slate-600">
          {scope} · {t('activeSecrets', { count: activeSecrets })} · {t('created')}{' '}
          <LocalDateTime iso={endpoint.createdAt} />
        </span>
        {active && (
          <div className="ml-auto flex flex-wrap gap-2">
            <SecretItemActions kind={kind} item={{ id, name, activeSecrets }} />
          </div>
        )}
      </div>
      <p className="flex items-center gap-2 text-sm">
        <span className="font-medium">{t('url')}:</span> <code className="break-all font-mono">{url}</code>{' '}
        <CopyButton text={url} />
      </p>
      <details open={deliveries.length > 0}>
        <summary className="cursor-pointer font-medium text-blue-800 hover:underline">{log}</summary>
        {deliveries.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">{t('noDeliveries')}</p>
        ) : (
          <DataTable label={log} className="mt-2" testId={logTestId}>
            <thead>
              <ColumnHeads columns={columns} />
            </thead>
            <tbody>{children}</tbody>
          </DataTable>
        )}
      </details>
    </section>
  );
}

/** A delivery row's first two cells: when (in the viewer's zone) and what (the row's header). */
export function DeliveryCells({ at, what }: { at: string; what: string }) {
  return (
    <>
      <td className="py-1.5 pr-4 tabular-nums">
        <LocalDateTime iso={at} />
      </td>
      <th scope="row" className="py-1.5 pr-4 font-mono text-xs font-normal">
        {what}
      </th>
    </>
  );
}
