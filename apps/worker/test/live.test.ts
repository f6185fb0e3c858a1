// The live lab in the worker against real PostgreSQL and kube-sim: off until an instructor turns a
// lab live; then every rostered namespace's verdict lands in LiveState and is published, follows the
// student's changes, and never creates a grading run (no cooldown token spent).
import { CoreV1Api } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_CONFIG_TOPIC, liveTopic, type PubSubMessage } from '@kubegrade/db';
import { startWorker, type Worker } from '../src/index.ts';
import { until } from '@kubegrade/testkit';
import { FAST, LAB_ID, startEnv, type Env } from './env.ts';

const NS = ['l-one', 'l-two'];
let env: Env;
let worker: Worker;
const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

beforeAll(async () => {
  env = await startEnv(NS);
  worker = await startWorker({
    databaseUrl: env.db.url,
    kube: env.kc,
    logger,
    concurrency: 1,
    ...FAST,
    live: { refreshSeconds: 3600, engine: { coalesceMs: 50, namespaceIntervalMs: 200 } },
  });
});
afterAll(async () => {
  await worker?.stop();
  await env?.stop();
});

type Check = { id: string; status: string };
const liveChecks = async (ns: string): Promise<Record<string, string>> => {
  const row = await env.db.prisma.liveState.findUnique({
    where: { labId_enrollmentId: { labId: LAB_ID, enrollmentId: env.students.get(ns)!.enrollmentId } },
  });
  return Object.fromEntries(((row?.checks ?? []) as Check[]).map((c) => [c.id, c.status]));
};

describe('live lab in the worker', () => {
  it('watches nothing until a lab is live, then evaluates every rostered namespace without a grading run', async () => {
    expect(worker.live.engine).toBeNull();
    const seen: PubSubMessage[] = [];
    env.pubsub.on(liveTopic(env.students.get('l-one')!.enrollmentId, LAB_ID), (m, done) => {
      seen.push(m);
      done();
    });
    await env.db.prisma.lab.update({ where: { id: LAB_ID }, data: { liveEnabled: true } });
    await env.pubsub.publish(LIVE_CONFIG_TOPIC, { labId: LAB_ID });
    let checks: Record<string, string> = {};
    await until(
      "l-one's statefulset-ready and l-two's pvc-bound to pass live",
      async () => {
        checks = await liveChecks('l-one');
        return checks['statefulset-ready'] === 'pass' && (await liveChecks('l-two'))['pvc-bound'] === 'pass';
      },
      { timeoutMs: 30_000 },
    );
    expect(checks['redis-persistence']).toBe('grade-only');
    await until('a live message published', () => seen.length > 0, { timeoutMs: 10_000 });
    expect(await env.db.prisma.gradingRun.count()).toBe(0);
  });

  it("follows the student's change: deleting the headless Service fails the DNS check live", async () => {
    const core = env.kc.makeApiClient(CoreV1Api);
    await core.deleteNamespacedService({ name: 'redis-exist-pvc', namespace: 'l-one' });
    await until(
      "l-one's headless-dns to fail live",
      async () => (await liveChecks('l-one'))['headless-dns'] === 'fail',
      { timeoutMs: 30_000 },
    );
    expect((await liveChecks('l-two'))['headless-dns']).not.toBe('fail');
  });

  it('runs in one worker only; when it stops, another takes over and the views come back live', async () => {
    const second = await startWorker({
      databaseUrl: env.db.url,
      kube: env.kc,
      logger,
      concurrency: 1,
      ...FAST,
      live: { refreshSeconds: 3600, engine: { coalesceMs: 50, namespaceIntervalMs: 200 } },
    });
    try {
      expect(worker.live.engine).not.toBeNull();
      expect(second.live.engine).toBeNull();
      await worker.stop();
      const row = () =>
        env.db.prisma.liveState.findUniqueOrThrow({
          where: {
            labId_enrollmentId: { labId: LAB_ID, enrollmentId: env.students.get('l-two')!.enrollmentId },
          },
        });
      // The stopped worker paused every view rather than leave its verdicts standing.
      expect((await row()).live).toBe(false);
      await second.live.refresh();
      expect(second.live.engine).not.toBeNull();
      await until("l-two's view live again under the second worker", async () => (await row()).live, {
        timeoutMs: 30_000,
      });
      worker = second;
    } catch (err) {
      await second.stop();
      throw err;
    }
  });

  it('stops watching when the lab is switched off', async () => {
    await env.db.prisma.lab.update({ where: { id: LAB_ID }, data: { liveEnabled: false } });
    await worker.live.refresh();
    expect(worker.live.engine).toBeNull();
  });
});
