import { getTranslations } from 'next-intl/server';
import { DeliveryCells, EndpointCard } from '@/components/EndpointCard';
import { EventEndpointCreateForm } from '@/components/EventEndpointCreateForm';
import { ServerErrorNote } from '@/components/Feedback';
import { SecretAdminPage } from '@/components/SecretAdminPage';
import { RedeliverButton } from '@/components/SecretItemActions';
import type { EventEndpointsQuery } from '@/lib/graphql.generated';
import { EVENT_ENDPOINTS } from '@/lib/queries';
import { serverQuery } from '@/lib/server-graphql';
import type { EventDeliveryRow, EventEndpoint } from '@/lib/types';

/** Deliveries change as the worker sends and retries them: router.refresh() on an interval (no subscription). */
const POLL_MS = 5000;

function statusClass(status: EventDeliveryRow['status']): string {
  if (status === 'delivered') return 'text-green-900';
  if (status === 'failed') return 'text-red-900';
  return 'text-slate-700';
}

async function EventEndpointCard({ endpoint }: { endpoint: EventEndpoint }) {
  const t = await getTranslations('events');
  const heads = (['createdAt', 'eventType', 'status', 'attempts', 'response', 'error'] as const).map((k) =>
    t(k),
  );
  return (
    <EndpointCard
      kind="events"
      endpoint={endpoint}
      scope={
        <>
          <code className="font-mono">{endpoint.courseSlug}</code> · {endpoint.events.join(', ')}
        </>
      }
      logTestId="event-deliveries"
      columns={[...heads, { label: t('redeliver'), hidden: true }]}
    >
      {endpoint.deliveries.map((d) => (
        <tr key={d.id} className="border-b border-slate-200" data-delivery={d.id}>
          <DeliveryCells at={d.createdAt} what={d.eventType} />
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
              <RedeliverButton deliveryId={d.id} />
            )}
          </td>
        </tr>
      ))}
    </EndpointCard>
  );
}

/** Admin: endpoints for a course's signed outbound events, their secrets (shown once, rotate) and delivery log (redeliver). */
export default async function EventsPage() {
  const result = await serverQuery<EventEndpointsQuery>(EVENT_ENDPOINTS);
  if (result.error !== null) return <ServerErrorNote message={result.error} />;
  const endpoints = result.data.eventEndpoints;
  return (
    <SecretAdminPage
      kind="events"
      pollMs={POLL_MS}
      form={<EventEndpointCreateForm />}
      empty={endpoints.length === 0}
    >
      {endpoints.map((ep) => (
        <EventEndpointCard key={ep.id} endpoint={ep} />
      ))}
    </SecretAdminPage>
  );
}
