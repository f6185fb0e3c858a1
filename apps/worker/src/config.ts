// The worker's configuration, read from the environment once and validated (see README.md).
import { z } from 'zod';
import { DEFAULT_COOLDOWN } from '@kubegrade/db';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const schema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  GRADE_TIME_MULTIPLIER: z.coerce.number().positive().max(100).default(1),
  COOLDOWN_RATE_PER_MINUTE: z.coerce.number().positive().default(DEFAULT_COOLDOWN.rate),
  COOLDOWN_BURST: z.coerce.number().int().min(1).default(DEFAULT_COOLDOWN.burst),
  KUBECONFIG: z.string().min(1).optional(),
  KUBE_CONTEXT: z.string().min(1).optional(),
  KUBE_IN_CLUSTER: bool,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKER_POLL_SECONDS: z.coerce.number().min(0.5).default(2),
  WORKER_HEARTBEAT_SECONDS: z.coerce.number().positive().default(5),
  WORKER_STALE_AFTER_SECONDS: z.coerce.number().positive().default(30),
  WORKER_RECONCILE_SECONDS: z.coerce.number().positive().default(15),
  WORKER_SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().positive().default(30),
  /** off: never run the live lab's watches, whatever the labs say. */
  LIVE_LAB: z.enum(['on', 'off']).default('on'),
  LIVE_MAX_EVALUATIONS_PER_SECOND: z.coerce.number().positive().max(1000).default(20),
  LIVE_NAMESPACE_INTERVAL_SECONDS: z.coerce.number().min(0.1).max(600).default(2),
  LIVE_EXEC_INTERVAL_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  NODE_ENV: z.string().default('development'),
  /** The api's key for secrets at rest: the worker unseals event endpoint secrets to sign with them. */
  WEBHOOK_ENCRYPTION_KEY: z.string().optional(),
  EVENT_DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  EVENT_TIMEOUT_SECONDS: z.coerce.number().positive().max(120).default(10),
  EVENT_RETRY_LIMIT: z.coerce.number().int().min(0).max(20).default(8),
  EVENT_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
});

// The api's development default (apps/api/src/config.ts): outside production both sides agree.
const DEV_WEBHOOK_KEY = Buffer.alloc(32, 7);

/** The 32-byte key from WEBHOOK_ENCRYPTION_KEY (base64 or hex); the development default outside production. */
export function eventKey(env: WorkerEnv): Buffer {
  const v = env.WEBHOOK_ENCRYPTION_KEY;
  if (!v) {
    if (env.NODE_ENV === 'production')
      throw new WorkerConfigError(
        'WEBHOOK_ENCRYPTION_KEY is required in production (the same key as the api)',
      );
    return DEV_WEBHOOK_KEY;
  }
  const key = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64');
  if (key.length !== 32)
    throw new WorkerConfigError(
      `WEBHOOK_ENCRYPTION_KEY must be 32 bytes as base64 or hex (got ${key.length} bytes)`,
    );
  return key;
}

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
