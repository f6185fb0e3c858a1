// The grading worker: takes 'grade' jobs off the pg-boss queue, grades the namespace with
// @kubegrade/grader, and writes each check the moment it finishes (every write fenced by attempt
// and published over LISTEN/NOTIFY). Infrastructure errors are retried with backoff and, after the
// last attempt, end the run as ERROR with the student's token refunded. A heartbeat on the run lets
// any worker's reconciler hand a dead worker's job to another at once instead of at lease expiry.
import { randomUUID } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  GRADE_QUEUE,
  QUEUE_TOPIC,
  beginAttempt,
  createPrisma,
  createPubSub,
  errorRun,
  finishRun,
  heartbeat,
  markCheckStarted,
  reconcileRuns,
  recordCheckResult,
  redact,
  requeueRun,
  startQueue,
  type Attempt,
  type CooldownConfig,
  type GradeJobData,
  type PrismaClient,
  type PubSub,
  type ReconcileResult,
} from '@kubegrade/db';
import {
  GRADER_VERSION,
  grade,
  kubeConfigFrom,
  planChecks,
  validateLab,
  type GradeEvent,
  type KubeConfigSource,
  type Lab,
  type RunResult,
} from '@kubegrade/grader';
import type PgBoss from 'pg-boss';
import { pino, type Logger } from 'pino';

/** What startWorker needs; everything but databaseUrl has a default. */
export interface WorkerConfig {
  databaseUrl: string;
  /** Jobs graded at once by this worker (WORKER_CONCURRENCY). Default 4. */
  concurrency?: number;
  /** Multiplies every grader deadline (GRADE_TIME_MULTIPLIER). Default 1. */
  timeMultiplier?: number;
  /** The cooldown bucket's settings, for refunds on infrastructure errors. Default rate 2, burst 3. */
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
}

/** A running worker. */
export interface Worker {
  readonly id: string;
  /** Runs being graded right now. */
  readonly activeRuns: number;
  /** Runs one reconciliation pass now (also done periodically). */
  reconcile(): Promise<ReconcileResult>;
  /** Stops taking jobs, lets current runs finish (or releases them after the timeout), disconnects. */
  stop(): Promise<void>;
}

type AbortReason = 'cancelled' | 'lost' | 'shutdown' | 'lease';

interface InFlight {
  runId: string;
  controller: AbortController;
  reason: AbortReason | null;
  done: Promise<void>;
}

function isKubeConfig(k: unknown): k is KubeConfig {
  return typeof (k as KubeConfig | undefined)?.getCurrentCluster === 'function';
}

/** "check-id: message; ..." for the checks that errored. */
function errorSummary(result: RunResult): string {
  const errored = result.checks.filter((c) => c.status === 'error');
  return errored.map((c) => `${c.id}: ${c.message}`).join('; ') || 'the grader reported an error';
}

/** Starts a worker: connects, reconciles abandoned runs, then takes jobs with `concurrency` slots. */
export async function startWorker(config: WorkerConfig): Promise<Worker> {
  const id = randomUUID();
  const log = (config.logger ?? pino({ name: 'kubegrade-worker' })).child({ worker: id.slice(0, 8) });
  const concurrency = config.concurrency ?? 4;
  const mult = config.timeMultiplier ?? 1;
  const cooldown: CooldownConfig = config.cooldown ?? { rate: 2, burst: 3 };
  const heartbeatMs = (config.heartbeatSeconds ?? 5) * 1000;
  const staleAfterSeconds = config.staleAfterSeconds ?? 30;
  let kubeConfig: KubeConfig;
  try {
    kubeConfig = isKubeConfig(config.kube) ? config.kube : kubeConfigFrom(config.kube ?? {});
  } catch (err) {
    throw new Error(`the worker cannot find the cluster to grade: ${(err as Error).message} (set KUBECONFIG and KUBE_CONTEXT, or KUBE_IN_CLUSTER=true in a pod)`, { cause: err });
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
    pubsub = await createPubSub(config.databaseUrl, { onError: (err) => log.warn({ err: { message: err.message } }, 'pub/sub connection error') });
  } catch (err) {
    await boss?.stop({ graceful: false }).catch(() => {});
    await prisma.$disconnect();
    throw new Error(`the worker could not connect to the database at ${redact(config.databaseUrl)}: ${(err as Error).message}`, { cause: err });
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

  /** Grades one job. Completes or fails the job itself, so pg-boss's own completion is a no-op. */
  const handle = async (job: PgBoss.JobWithMetadata<GradeJobData>): Promise<void> => {
    const runId = job.data.runId;
    const runLog = log.child({ runId, jobId: job.id, try: job.retryCount + 1 });
    const run = await prisma.gradingRun.findUnique({ where: { id: runId }, include: { lab: true } });
    if (!run || (run.status !== 'QUEUED' && run.status !== 'RUNNING')) {
      runLog.info({ status: run?.status ?? 'missing' }, 'run is no longer waiting; skipping its job');
      await queue.complete(GRADE_QUEUE, job.id);
      return;
    }
    // The lab comes from the database on every run, so an instructor's edit applies to the next one.
    const parsed = validateLab(run.lab.definition, `labs table: ${run.labId}`);
    if (!parsed.ok) {
      const detail = `lab ${run.labId} in the database is invalid: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`;
      runLog.error({ detail }, 'cannot grade');
      await errorRun(prisma, runId, null, detail, cooldown);
      await queue.complete(GRADE_QUEUE, job.id);
      return;
    }
    const lab: Lab = parsed.lab;
    const plan = planChecks(lab);
    const position = new Map(lab.checks.map((c, i) => [c.id, i]));
    const attempt = await beginAttempt(
      prisma,
      runId,
      job.id,
      plan.map((c) => ({ id: c.id, position: position.get(c.id) ?? 0, maxPoints: c.points })),
      { labVersion: lab.version, graderVersion: GRADER_VERSION, maxScore: plan.reduce((s, c) => s + c.points, 0) },
    );
    if (!attempt) {
      await queue.complete(GRADE_QUEUE, job.id);
      return;
    }
    const disruptive = run.disruptive && run.lab.disruptiveEnabled;
    runLog.info({ namespace: run.namespace, labId: run.labId, attempt: attempt.attempt, disruptive }, 'grading');
    const started = Date.now();
    const outcome = await gradeAttempt(attempt, lab, run.namespace, disruptive, job, runLog);
    const elapsedMs = Date.now() - started;

    if (outcome.kind === 'stopped') {
      if (outcome.reason === 'shutdown') {
        await requeueRun(prisma, attempt, 'the worker shut down during grading; another worker will take it');
        await queue.fail(GRADE_QUEUE, job.id, { message: 'released on worker shutdown' });
        runLog.info('released on shutdown');
      } else if (outcome.reason === 'cancelled') {
        runLog.info('cancelled while grading');
      } else {
        // 'lost': another attempt owns the run now; the job is theirs too.
        runLog.warn({ reason: outcome.reason }, 'stopped: this attempt no longer owns the run');
      }
      return;
    }
    const result = outcome.result;
    if (result.status === 'error') {
      const detail = errorSummary(result);
      if (job.retryCount < job.retryLimit) {
        await requeueRun(prisma, attempt, `attempt ${attempt.attempt} hit an infrastructure error, retrying: ${detail}`);
        await queue.fail(GRADE_QUEUE, job.id, { message: detail });
        runLog.warn({ detail, elapsedMs }, 'infrastructure error; will retry');
      } else {
        await errorRun(prisma, runId, attempt.attempt, `infrastructure error after ${attempt.attempt} attempt(s): ${detail}`, cooldown);
        await queue.complete(GRADE_QUEUE, job.id, { status: 'error' });
        runLog.error({ detail, elapsedMs }, 'infrastructure error; no retries left, run ends ERROR (token refunded)');
      }
      return;
    }
    const ok = await finishRun(prisma, attempt, {
      status: result.status === 'passed' ? 'PASSED' : 'FAILED',
      score: result.score,
      maxScore: result.maxScore,
      checks: result.checks,
    });
    if (ok) await queue.complete(GRADE_QUEUE, job.id, { status: result.status, score: result.score });
    runLog.info({ status: result.status, score: result.score, maxScore: result.maxScore, elapsedMs, recorded: ok }, 'graded');
  };

  type Outcome = { kind: 'result'; result: RunResult } | { kind: 'stopped'; reason: AbortReason };

  /** Runs the grader with a heartbeat, writing each event as it happens (in order). */
  const gradeAttempt = async (
    attempt: Attempt,
    lab: Lab,
    namespace: string,
    disruptive: boolean,
    job: PgBoss.JobWithMetadata<GradeJobData>,
    runLog: Logger,
  ): Promise<Outcome> => {
    const controller = new AbortController();
    let settle!: () => void;
    const entry: InFlight = { runId: attempt.runId, controller, reason: null, done: new Promise<void>((r) => (settle = r)) };
    inflight.set(job.id, entry);
    const stop = (reason: AbortReason) => {
      if (entry.reason) return;
      entry.reason = reason;
      controller.abort(reason);
    };
    const beat = setInterval(() => {
      heartbeat(prisma, attempt).then(
        (h) => {
          if (h !== 'ok') stop(h);
        },
        (err: Error) => runLog.warn({ err: { message: err.message } }, 'heartbeat failed'),
      );
    }, heartbeatMs);
    // Give up a little before pg-boss's lease ends, so the retry is ours to decide.
    const leaseMs = Math.max(1000, Number(job.expireInSeconds) * 1000 - 2000);
    const leaseTimer = setTimeout(() => stop('lease'), leaseMs);

    // Events arrive synchronously from the grader; writes go one after another in arrival order.
    let writes: Promise<void> = Promise.resolve();
    const write = (e: GradeEvent) => {
      writes = writes.then(async () => {
        if (entry.reason) return;
        try {
          const owned =
            e.type === 'check-started'
              ? await markCheckStarted(prisma, attempt, e.checkId)
              : await recordCheckResult(prisma, attempt, e.result);
          if (!owned) {
            const h = await heartbeat(prisma, attempt);
            stop(h === 'cancelled' ? 'cancelled' : 'lost');
          }
        } catch (err) {
          runLog.warn({ err: { message: (err as Error).message }, event: e.type }, 'could not store a progress event; the final write will');
        }
      });
    };
    try {
      const result = await grade({ lab, namespace, kubeConfig, disruptive, timeMultiplier: mult, signal: controller.signal, onEvent: write });
      await writes;
      if (entry.reason && entry.reason !== 'lease') return { kind: 'stopped', reason: entry.reason };
      return { kind: 'result', result };
    } finally {
      clearInterval(beat);
      clearTimeout(leaseTimer);
      inflight.delete(job.id);
      settle();
    }
  };

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
            await handle(job);
          } catch (err) {
            // A database outage mid-run: let pg-boss retry the job (the run stays QUEUED/RUNNING).
            log.error({ runId: job.data.runId, err: { message: (err as Error).message } }, 'grading job failed');
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
    for (const w of workerIds) queue.notifyWorker(w);
  };
  ps.on(QUEUE_TOPIC, (_m, done) => {
    wake();
    done();
  });

  await reconcile().catch((err: Error) => log.warn({ err: { message: err.message } }, 'reconcile failed'));
  const reconcileTimer = setInterval(
    () => void reconcile().catch((err: Error) => log.warn({ err: { message: err.message } }, 'reconcile failed')),
    (config.reconcileIntervalSeconds ?? 15) * 1000,
  );
  log.info({ concurrency, timeMultiplier: mult }, 'worker started');

  return {
    id,
    get activeRuns() {
      return inflight.size;
    },
    reconcile,
    stop() {
      stopping ??= (async () => {
        clearInterval(reconcileTimer);
        await queue.offWork(GRADE_QUEUE);
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
        await queue.stop({ graceful: false });
        await new Promise<void>((r) => ps.close(r));
        await prisma.$disconnect();
        log.info('worker stopped');
      })();
      return stopping;
    },
  };
}
