import { getLocale, getTranslations } from 'next-intl/server';
import { DeliveryCells, EndpointCard } from '@/components/EndpointCard';
import { ServerErrorNote } from '@/components/Feedback';
import { SecretAdminPage } from '@/components/SecretAdminPage';
import { WebhookCreateForm } from '@/components/WebhookCreateForm';
import { pick } from '@/i18n/locales';
import type { LabsQuery, WebhooksQuery } from '@/lib/graphql.generated';
import { LABS, WEBHOOKS } from '@/lib/queries';
import { serverQuery } from '@/lib/server-graphql';
import type { Webhook } from '@/lib/types';

/** The delivery log fills in as deliveries arrive; a slow router.refresh() keeps it current (no subscription). */
const POLL_MS = 10000;

function outcomeClass(outcome: string): string {
  const o = outcome.toLowerCase();
  if (o.startsWith('accept') || o === 'ok' || o === 'queued') return 'text-green-900';
  if (o.startsWith('dup')) return 'text-slate-700';
  return 'text-red-900';
}

/** What a webhook may regrade: every lab, these labs, these namespaces. */
function scopeOf(t: (key: string) => string, w: Webhook): string {
  const list = w.scopeKind === 'LABS' ? w.labs : w.scopeKind === 'NAMESPACES' ? w.namespaces : [];
  return list.length ? `${t(`scope${w.scopeKind}`)}: ${list.join(', ')}` : t(`scope${w.scopeKind}`);
}

async function WebhookCard({ webhook }: { webhook: Webhook }) {
  const t = await getTranslations('webhooks');
  const columns = [t('receivedAt'), t('deliveryId'), t('outcome'), t('reason'), t('runs')];
  return (
    <EndpointCard
      kind="webhooks"
      endpoint={webhook}
      scope={scopeOf(t, webhook)}
      logTestId="deliveries"
      columns={columns}
    >
      {webhook.deliveries.map((d) => (
        <tr key={d.id} className="border-b border-slate-200" data-delivery={d.deliveryId}>
          <DeliveryCells at={d.receivedAt} what={d.deliveryId} />
          <td className={`py-1.5 pr-4 font-semibold ${outcomeClass(d.outcome)}`}>{d.outcome}</td>
          <td className="py-1.5 pr-4">{d.reason ?? '—'}</td>
          <td className="py-1.5 pr-4 tabular-nums">{d.runIds.length}</td>
        </tr>
      ))}
    </EndpointCard>
  );
}

/** Admin: regrade webhooks (create, copy URL and secret once, rotate, revoke) and their delivery log. */
export default async function WebhooksPage() {
  const [locale, webhooks, labs] = await Promise.all([
    getLocale(),
    serverQuery<WebhooksQuery>(WEBHOOKS),
    serverQuery<LabsQuery>(LABS),
  ]);
  if (webhooks.error !== null) return <ServerErrorNote message={webhooks.error} />;
  // Without the labs the form still makes webhooks for every lab or for namespaces.
  const labChoices = (labs.data?.labs ?? []).map((lab) => ({
    value: lab.id,
    label: pick(lab.title, locale),
  }));
  return (
    <SecretAdminPage
      kind="webhooks"
      pollMs={POLL_MS}
      form={<WebhookCreateForm labs={labChoices} />}
      empty={webhooks.data.webhooks.length === 0}
    >
      {webhooks.data.webhooks.map((w) => (
        <WebhookCard key={w.id} webhook={w} />
      ))}
    </SecretAdminPage>
  );
}
