// The grading worker: takes 'grade' jobs off the pg-boss queue, grades the namespace with
// @kubegrade/grader, and writes each check the moment it finishes (every write fenced by attempt
// and published over LISTEN/NOTIFY). Infrastructure errors are retried with backoff and, after the
// last attempt, end the run as ERROR with the student's token refunded. A heartbeat on the run lets
// any worker's reconciler hand a dead worker's job to another at once instead of at lease expiry.
// This file connects, takes jobs and stops; one job is job.ts, one attempt attempt.ts, and what
// follows an attempt the pure nextStep in steps.ts.
import { randomUUID } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  DEFAULT_COOLDOWN,
  GRADE_QUEUE,
  LIVE_CONFIG_TOPIC,
  PREVIEW_QUEUE,
  ensurePreviewQueue,
  type PreviewJobData,
  QUEUE_TOPIC,
  createPrisma,
  createPubSub,
  reconcileRuns,
  redact,
  startQueue,
  type CooldownConfig,
  type GradeJobData,
  type PrismaClient,
  type PubSub,
  type ReconcileResult,
} from '@kubegrade/db';
import { kubeConfigFrom, type KubeConfigSource } from '@kubegrade/grader';
import type PgBoss from 'pg-boss';
import { pino, type Logger } from 'pino';
import type { InFlight } from './attempt.ts';
import { handleGradeJob, handlePreviewJob, type JobContext } from './job.ts';
import { startLiveLab, type LiveLab, type LiveLabConfig } from './live.ts';

/** What startWorker needs; everything but databaseUrl has a default. */
export interface WorkerConfig {
  databaseUrl: string;
  /** Jobs graded at once by this worker (WORKER_CONCURRENCY). Default 4. */
  concurrency?: number;
  /** Multiplies every grader deadline (GRADE_TIME_MULTIPLIER). Default 1. */
  timeMultiplier?: number;
  /** The cooldown bucket's settings, for refunds on infrastructure errors. Default DEFAULT_COOLDOWN (@kubegrade/db). */
  cooldown?: Omit<CooldownConfig, 'now'>;
  /** The cluster: a ready KubeConfig, or where to load one (kubeconfig file, context, in-cluster). */
  kube?: KubeConfig | KubeConfigSource;
  logger?: Logger;
  /** How often an idle slot polls the queue (a NOTIFY wakes it sooner). Default 2 s. */
  pollingIntervalSeconds?: number;
  /** How often a running run's heartbeat is written. Default 5 s. */
  heartbeatSeconds?: number;
  /** A RUNNING run without a heartbeat for this long is presumed abandoned. Default 30 s. */
  staleAfterSeconds?: number;
  /** How often this worker looks for abandoned runs (it also does at start). Default 15 s. */
  reconcileIntervalSeconds?: number;
  /** On stop, how long current runs may take to finish before they are released. Default 30 s. */
  shutdownTimeoutSeconds?: number;
  /** The live lab (watches and re-evaluates while some lab has it on). */
  live?: LiveLabConfig;
}

/** A running worker. */
export interface Worker {
  readonly id: string;
  /** Runs being graded right now. */
  readonly activeRuns: number;
  /** Runs one reconciliation pass now (also done periodically). */
  reconcile(): Promise<ReconcileResult>;
  /** The live lab of this worker. */
  readonly live: LiveLab;
  /** Stops taking jobs, lets current runs finish (or releases them after the timeout), disconnects. */
  stop(): Promise<void>;
}

function isKubeConfig(k: unknown): k is KubeConfig {
  return typeof (k as KubeConfig | undefined)?.getCurrentCluster === 'function';
}

/** Starts a worker: connects, reconciles abandoned runs, then takes jobs with `concurrency` slots. */
export async function startWorker(config: WorkerConfig): Promise<Worker> {
  const id = randomUUID();
  const log = (config.logger ?? pino({ name: 'kubegrade-worker' })).child({ worker: id.slice(0, 8) });
  const concurrency = config.concurrency ?? 4;
  const mult = config.timeMultiplier ?? 1;
  const cooldown: CooldownConfig = config.cooldown ?? DEFAULT_COOLDOWN;
  const heartbeatMs = (config.heartbeatSeconds ?? 5) * 1000;
  const staleAfterSeconds = config.staleAfterSeconds ?? 30;
  let kubeConfig: KubeConfig;
  try {
    kubeConfig = isKubeConfig(config.kube) ? config.kube : kubeConfigFrom(config.kube ?? {});
  } catch (err) {
    throw new Error(
      `the worker cannot find the cluster to grade: ${(err as Error).message} (set KUBECONFIG and KUBE_CONTEXT, or KUBE_IN_CLUSTER=true in a pod)`,
      { cause: err },
    );
  }

  const prisma: PrismaClient = createPrisma(config.databaseUrl, { max: Math.min(10, concurrency + 2) });
  let boss: PgBoss | null = null;
  let pubsub: PubSub;
  try {
    boss = await startQueue(config.databaseUrl, {
      max: 3,
      maintenanceIntervalSeconds: Math.max(1, Math.round(config.reconcileIntervalSeconds ?? 15)),
      onError: (err) => log.warn({ err: { message: err.message } }, 'queue error'),
    });
    pubsub = await createPubSub(config.databaseUrl, {
      onError: (err) => log.warn({ err: { message: err.message } }, 'pub/sub connection error'),
    });
  } catch (err) {
    await boss?.stop({ graceful: false }).catch(() => {});
    await prisma.$disconnect();
    throw new Error(
      `the worker could not connect to the database at ${redact(config.databaseUrl)}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const queue = boss;
  const ps = pubsub;
  const inflight = new Map<string, InFlight>();
  // Handlers still running (a released run is requeued after its grader stops).
  let busy = 0;
  let stopping: Promise<void> | null = null;

  const reconcile = async (): Promise<ReconcileResult> => {
    const r = await reconcileRuns(prisma, { staleAfterSeconds, refund: cooldown });
    if (r.released.length || r.errored.length || r.requeued.length) log.info(r, 'reconciled abandoned runs');
    return r;
  };

  const ctx: JobContext = {
    prisma,
    queue,
    kubeConfig,
    timeMultiplier: mult,
    heartbeatMs,
    inflight,
    cooldown,
    log,
  };

  await ensurePreviewQueue(queue);
  const previewWorkerId = await queue.work<PreviewJobData>(
    PREVIEW_QUEUE,
    { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: config.pollingIntervalSeconds ?? 2 },
    async ([job]) => {
      if (!job) return;
      busy++;
      try {
        await handlePreviewJob(ctx, job);
      } finally {
        busy--;
      }
    },
  );

  const workerIds: string[] = [];
  for (let i = 0; i < concurrency; i++) {
    workerIds.push(
      await queue.work<GradeJobData>(
        GRADE_QUEUE,
        { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: config.pollingIntervalSeconds ?? 2 },
        async ([job]) => {
          if (!job) return;
          busy++;
          try {
            await handleGradeJob(ctx, job);
          } catch (err) {
            // A database outage mid-run: let pg-boss retry the job (the run stays QUEUED/RUNNING).
            log.error(
              { runId: job.data.runId, err: { message: (err as Error).message } },
              'grading job failed',
            );
            throw err;
          } finally {
            busy--;
          }
        },
      ),
    );
  }
  // A NOTIFY from submitRun wakes the idle slots now instead of at their next poll.
  const wake = () => {
    if (stopping) return;
    for (const w of [...workerIds, previewWorkerId]) queue.notifyWorker(w);
  };
  ps.on(QUEUE_TOPIC, (_m, done) => {
    wake();
    done();
  });

  const live = await startLiveLab({
    databaseUrl: config.databaseUrl,
    prisma,
    pubsub: ps,
    kubeConfig,
    log,
    config: config.live,
  });
  ps.on(LIVE_CONFIG_TOPIC, (_m, done) => {
    void live.refresh();
    done();
  });

  await reconcile().catch((err: Error) => log.warn({ err: { message: err.message } }, 'reconcile failed'));
  const reconcileTimer = setInterval(
    () =>
      void reconcile().catch((err: Error) => log.warn({ err: { message: err.message } }, 'reconcile failed')),
    (config.reconcileIntervalSeconds ?? 15) * 1000,
  );
  log.info({ concurrency, timeMultiplier: mult }, 'worker started');

  return {
    id,
    get activeRuns() {
      return inflight.size;
    },
    reconcile,
    live,
    stop() {
      stopping ??= (async () => {
        clearInterval(reconcileTimer);
        await queue.offWork(GRADE_QUEUE);
        await queue.offWork(PREVIEW_QUEUE);
        const timeoutMs = (config.shutdownTimeoutSeconds ?? 30) * 1000;
        if (inflight.size > 0) {
          log.info({ runs: inflight.size, timeoutMs }, 'stopping: waiting for current runs');
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            Promise.all([...inflight.values()].map((f) => f.done)),
            new Promise<void>((r) => (timer = setTimeout(r, timeoutMs))),
          ]);
          clearTimeout(timer);
          for (const f of inflight.values()) {
            f.reason ??= 'shutdown';
            f.controller.abort('shutdown');
          }
        }
        // Wait for the handlers themselves (they release what they were grading), not just the grader.
        while (busy > 0) await new Promise((r) => setTimeout(r, 50));
        await live.stop();
        await queue.stop({ graceful: false });
        await new Promise<void>((r) => ps.close(r));
        await prisma.$disconnect();
        log.info('worker stopped');
      })();
      return stopping;
    },
  };
}
