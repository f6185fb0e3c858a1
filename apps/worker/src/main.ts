// Entry point: `tsx apps/worker/src/main.ts`. Reads the environment, starts the worker, and on
// SIGTERM/SIGINT stops taking jobs and finishes (or releases) the current ones before exiting.
import { openDatabase } from '@kubegrade/db';
import { pino } from 'pino';
import { eventKey, readWorkerEnv, WorkerConfigError } from './config.ts';
import { startWorker } from './worker.ts';
import { startEventDelivery } from './events.ts';

async function main(): Promise<void> {
  const env = readWorkerEnv();
  const logger = pino({
    name: 'kubegrade-worker',
    level: env.LOG_LEVEL,
    redact: ['databaseUrl', '*.password', '*.token'],
  });
  const key = eventKey(env);
  const db = await openDatabase();
  const kubeconfig = env.KUBECONFIG && !env.KUBECONFIG.includes(':') ? env.KUBECONFIG : undefined;
  const worker = await startWorker({
    databaseUrl: db.url,
    concurrency: env.WORKER_CONCURRENCY,
    timeMultiplier: env.GRADE_TIME_MULTIPLIER,
    cooldown: { rate: env.COOLDOWN_RATE_PER_MINUTE, burst: env.COOLDOWN_BURST },
    // A colon-separated KUBECONFIG list is left to client-node's own loading (loadFromDefault).
    kube: { kubeconfig, context: env.KUBE_CONTEXT, inCluster: env.KUBE_IN_CLUSTER },
    logger,
    pollingIntervalSeconds: env.WORKER_POLL_SECONDS,
    heartbeatSeconds: env.WORKER_HEARTBEAT_SECONDS,
    staleAfterSeconds: env.WORKER_STALE_AFTER_SECONDS,
    reconcileIntervalSeconds: env.WORKER_RECONCILE_SECONDS,
    shutdownTimeoutSeconds: env.WORKER_SHUTDOWN_TIMEOUT_SECONDS,
    live: {
      enabled: env.LIVE_LAB === 'on',
      engine: {
        maxEvaluationsPerSecond: env.LIVE_MAX_EVALUATIONS_PER_SECOND,
        namespaceIntervalMs: env.LIVE_NAMESPACE_INTERVAL_SECONDS * 1000,
        execIntervalMs: env.LIVE_EXEC_INTERVAL_SECONDS * 1000,
      },
    },
  });
  // Signed outbound events go out from the same process, on their own queue and connections.
  const events = await startEventDelivery({
    databaseUrl: db.url,
    key,
    logger,
    concurrency: env.EVENT_DELIVERY_CONCURRENCY,
    timeoutMs: env.EVENT_TIMEOUT_SECONDS * 1000,
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    Promise.all([worker.stop(), events.stop()])
      .then(() => db.close())
      .then(
        () => process.exit(0),
        (err: Error) => {
          logger.error({ err: { message: err.message } }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: Error) => {
  process.stderr.write(
    `${err instanceof WorkerConfigError ? err.message : `kubegrade worker: ${err.message}`}\n`,
  );
  process.exit(1);
});
