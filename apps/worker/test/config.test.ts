// The worker's environment: defaults, coercion, and errors that name every bad variable.
import { expect, it } from 'vitest';
import { readWorkerEnv, startWorker, WorkerConfigError } from '../src/index.ts';

it('applies the documented defaults', () => {
  expect(readWorkerEnv({})).toMatchObject({
    WORKER_CONCURRENCY: 4,
    GRADE_TIME_MULTIPLIER: 1,
    COOLDOWN_RATE_PER_MINUTE: 2,
    COOLDOWN_BURST: 3,
    KUBE_IN_CLUSTER: false,
    LOG_LEVEL: 'info',
    WORKER_HEARTBEAT_SECONDS: 5,
    WORKER_STALE_AFTER_SECONDS: 30,
  });
  expect(
    readWorkerEnv({ WORKER_CONCURRENCY: '8', KUBE_IN_CLUSTER: 'true', GRADE_TIME_MULTIPLIER: '2.5' }),
  ).toMatchObject({
    WORKER_CONCURRENCY: 8,
    KUBE_IN_CLUSTER: true,
    GRADE_TIME_MULTIPLIER: 2.5,
  });
});

it('names every invalid variable at once', () => {
  let error: unknown;
  try {
    readWorkerEnv({ WORKER_CONCURRENCY: '0', GRADE_TIME_MULTIPLIER: 'fast', LOG_LEVEL: 'loud' });
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(WorkerConfigError);
  expect((error as Error).message).toMatch(/WORKER_CONCURRENCY/);
  expect((error as Error).message).toMatch(/GRADE_TIME_MULTIPLIER/);
  expect((error as Error).message).toMatch(/LOG_LEVEL/);
});

it('refuses a stale-after shorter than two heartbeats, which would take live runs for dead', () => {
  expect(() => readWorkerEnv({ WORKER_HEARTBEAT_SECONDS: '10', WORKER_STALE_AFTER_SECONDS: '15' })).toThrow(
    /must exceed twice/,
  );
});

it('says how to point the worker at a cluster when the kubeconfig is missing', async () => {
  await expect(
    startWorker({
      databaseUrl: 'postgres://127.0.0.1:1/none',
      kube: { kubeconfig: '/nonexistent/kubeconfig' },
    }),
  ).rejects.toThrow(
    /cannot find the cluster to grade: kubeconfig file \/nonexistent\/kubeconfig does not exist.*KUBECONFIG/,
  );
});
