// Outbound signed events, the sending side: takes `event-delivery` jobs (written by the outbox in
// the transaction of each result), signs the body with the Standard Webhooks scheme (the
// `standardwebhooks` library; every still-valid secret of the endpoint signs during a rotation),
// POSTs it, and logs the attempt's status and response time on the EventDelivery row. A failure is
// thrown back to pg-boss, which retries with exponential back-off; after the last retry the
// delivery is `failed` (an admin can redeliver it). Grading never waits for any of this.
import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';
import {
  EVENT_QUEUE,
  LTI_SCORE_QUEUE,
  createPrisma,
  startQueue,
  unseal,
  type EventJobData,
  type LtiScoreJobData,
  type Prisma,
  type PrismaClient,
} from '@kubegrade/db';
import { pushScoreOnce } from './lti-scores.ts';
import type PgBoss from 'pg-boss';
import { pino, type Logger } from 'pino';

/** What startEventDelivery needs. */
export interface EventDeliveryConfig {
  databaseUrl: string;
  /** WEBHOOK_ENCRYPTION_KEY: the 32-byte key the endpoint secrets are sealed with. */
  key: Buffer;
  logger?: Logger;
  /** Deliveries sent at once. Default 4. */
  concurrency?: number;
  /** How long an endpoint may take to answer. Default 10 s. */
  timeoutMs?: number;
  /** How often an idle slot polls the queue. Default 2 s. */
  pollingIntervalSeconds?: number;
}

/** A running delivery loop. */
export interface EventDelivery {
  stop(): Promise<void>;
}

/** Attempts kept in a delivery's log. */
const LOG_ENTRIES = 20;
/** Characters of an endpoint's error answer kept in the log. */
const ERROR_CHARS = 300;

interface Attempt {
  at: string;
  statusCode: number | null;
  responseMs: number;
  error: string | null;
}

/** Sends one delivery once; throws when it should be retried. `final`: no retry follows a failure. */
export async function deliverOnce(
  db: PrismaClient,
  key: Buffer,
  deliveryId: string,
  final: boolean,
  timeoutMs = 10_000,
): Promise<'delivered' | 'failed' | 'retrying' | 'gone'> {
  const now = new Date();
  const d = await db.eventDelivery.findUnique({
    where: { id: deliveryId },
    include: {
      endpoint: {
        include: {
          secrets: {
            where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
            orderBy: { createdAt: 'desc' },
          },
        },
      },
    },
  });
  if (!d) return 'gone';
  if (!d.endpoint.active || !d.endpoint.secrets.length) {
    await db.eventDelivery.update({
      where: { id: d.id },
      data: { status: 'failed', lastError: 'the endpoint was revoked' },
    });
    return 'failed';
  }
  const body = JSON.stringify(d.payload);
  const signature = d.endpoint.secrets
    .map((s) => new Webhook(unseal(key, s)).sign(d.messageId, now, body))
    .join(' ');
  const started = performance.now();
  let statusCode: number | null = null;
  let error: string | null = null;
  try {
    const res = await fetch(d.endpoint.url, {
      method: 'POST',
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Kubegrade-Events/1',
        'webhook-id': d.messageId,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signature,
      },
    });
    statusCode = res.status;
    const text = await res.text().catch(() => '');
    if (res.status < 200 || res.status > 299)
      error = `HTTP ${res.status}${text ? `: ${text.slice(0, ERROR_CHARS)}` : ''}`;
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    error =
      e.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : `${e.cause?.code ?? e.name}: ${e.cause?.message ?? e.message}`;
  }
  const responseMs = Math.round(performance.now() - started);
  const entry: Attempt = { at: now.toISOString(), statusCode, responseMs, error };
  const log = [...((d.log as unknown as Attempt[]) ?? []), entry].slice(-LOG_ENTRIES);
  const status = error === null ? 'delivered' : final ? 'failed' : 'retrying';
  await db.eventDelivery.update({
    where: { id: d.id },
    data: {
      status,
      attempts: { increment: 1 },
      lastStatusCode: statusCode,
      lastResponseMs: responseMs,
      lastError: error,
      lastAttemptAt: now,
      log: log as unknown as Prisma.InputJsonArray,
      ...(error === null ? { deliveredAt: now } : {}),
    },
  });
  if (status === 'retrying') throw new Error(`delivery ${d.id} to endpoint ${d.endpointId} failed: ${error}`);
  return status;
}

/** Starts taking `event-delivery` jobs. */
export async function startEventDelivery(config: EventDeliveryConfig): Promise<EventDelivery> {
  const log = config.logger ?? pino({ name: 'kubegrade-events' });
  const db = createPrisma(config.databaseUrl, { max: 2 });
  const boss = await startQueue(config.databaseUrl, {
    max: 2,
    onError: (err) => log.warn({ err }, 'event queue error'),
  });
  const handle = async (jobs: PgBoss.JobWithMetadata<EventJobData>[]) => {
    for (const job of jobs) {
      const attempt = job.retryCount + 1;
      try {
        const outcome = await deliverOnce(
          db,
          config.key,
          job.data.deliveryId,
          job.retryCount >= job.retryLimit,
          config.timeoutMs,
        );
        log.info({ deliveryId: job.data.deliveryId, attempt, outcome }, 'event delivery');
      } catch (err) {
        log.info(
          { deliveryId: job.data.deliveryId, attempt, err: (err as Error).message },
          'event delivery failed; pg-boss retries it',
        );
        throw err;
      }
    }
  };
  // Each work() loop takes one job at a time: `concurrency` loops send that many at once.
  for (let i = 0; i < (config.concurrency ?? 4); i++) {
    await boss.work<EventJobData>(
      EVENT_QUEUE,
      { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: config.pollingIntervalSeconds ?? 2 },
      handle,
    );
  }
  // LTI score passbacks (AGS) share the loop: the same retries, one job at a time.
  await boss.work<LtiScoreJobData>(
    LTI_SCORE_QUEUE,
    { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: config.pollingIntervalSeconds ?? 2 },
    async (jobs: PgBoss.JobWithMetadata<LtiScoreJobData>[]) => {
      for (const job of jobs) {
        const outcome = await pushScoreOnce(
          db,
          config.key,
          job.data.pushId,
          job.retryCount >= job.retryLimit,
          config.timeoutMs,
        );
        log.info({ pushId: job.data.pushId, attempt: job.retryCount + 1, outcome }, 'LTI score passback');
      }
    },
  );
  return {
    async stop() {
      await boss.stop({ graceful: true, wait: true, timeout: 15_000 });
      await db.$disconnect();
    },
  };
}
