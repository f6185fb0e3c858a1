// The worker's configuration, read from the environment once and validated (see README.md).
import { z } from 'zod';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const schema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  GRADE_TIME_MULTIPLIER: z.coerce.number().positive().max(100).default(1),
  COOLDOWN_RATE_PER_MINUTE: z.coerce.number().positive().default(2),
  COOLDOWN_BURST: z.coerce.number().int().min(1).default(3),
  KUBECONFIG: z.string().min(1).optional(),
  KUBE_CONTEXT: z.string().min(1).optional(),
  KUBE_IN_CLUSTER: bool,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKER_POLL_SECONDS: z.coerce.number().min(0.5).default(2),
  WORKER_HEARTBEAT_SECONDS: z.coerce.number().positive().default(5),
  WORKER_STALE_AFTER_SECONDS: z.coerce.number().positive().default(30),
  WORKER_RECONCILE_SECONDS: z.coerce.number().positive().default(15),
  WORKER_SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().positive().default(30),
});

/** The validated environment. */
export type WorkerEnv = z.output<typeof schema>;

/** A configuration problem, listing every bad variable. */
export class WorkerConfigError extends Error {
  override readonly name = 'WorkerConfigError';
}

/** Parses and validates the worker's environment variables. */
export function readWorkerEnv(env: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new WorkerConfigError(`invalid worker configuration:\n${lines.join('\n')}`);
  }
  if (parsed.data.WORKER_STALE_AFTER_SECONDS <= parsed.data.WORKER_HEARTBEAT_SECONDS * 2) {
    throw new WorkerConfigError(
      `WORKER_STALE_AFTER_SECONDS (${parsed.data.WORKER_STALE_AFTER_SECONDS}) must exceed twice WORKER_HEARTBEAT_SECONDS (${parsed.data.WORKER_HEARTBEAT_SECONDS}), or live runs are taken for dead`,
    );
  }
  return parsed.data;
}
