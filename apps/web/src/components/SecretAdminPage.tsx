import { getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import { AutoRefresh } from './AutoRefresh';
import { PageHeader } from './PageHeader';
import { RefreshButton } from './RefreshButton';
import { SecretActions } from './SecretActions';
import type { SecretKind } from './secret-kinds';

/**
 * The server-rendered frame of an admin page that hands out secrets (webhooks, event endpoints, API
 * tokens): title, intro and refresh button, then, inside SecretActions (the secret shown once, the
 * action error, the confirmation), the create form and the list, or the "none yet" line (the kind's
 * `title`, `intro`, `refresh` and `none` messages).
 */
export async function SecretAdminPage({
  kind,
  pollMs,
  form,
  empty,
  children,
}: {
  kind: SecretKind;
  /** Renders the page again this often (a delivery log that fills in on the server). */
  pollMs?: number;
  form: ReactNode;
  empty: boolean;
  children: ReactNode;
}) {
  const t = await getTranslations(kind);
  return (
    <div className="space-y-5">
      <PageHeader title={t('title')} intro={t('intro')} actions={<RefreshButton label={t('refresh')} />} />
      {pollMs !== undefined && <AutoRefresh everyMs={pollMs} />}
      <SecretActions kind={kind}>
        {form}
        {empty ? <p className="text-slate-600">{t('none')}</p> : children}
      </SecretActions>
    </div>
  );
}
