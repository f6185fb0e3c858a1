// The default setup without PostgreSQL: api-side submit, the worker and the pub/sub all on the
// embedded PGlite server (one shared backend session behind packages/db's multiplexer).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createPrisma,
  createPubSub,
  migrate,
  runTopic,
  startEmbeddedPostgres,
  startQueue,
  submitRun,
  type EmbeddedPostgres,
  type PrismaClient,
} from '@kubegrade/db';
import { createPodRuntime, startKubeSim, type KubeObject, type KubeSim } from '@kubegrade/kube-sim';
import { until } from '@kubegrade/testkit';
import { generateClass, loadClass } from '../../../packages/kube-sim/src/scenarios/index.ts';
import { startWorker } from '../src/index.ts';
import { CHECKS, FAST, LAB_ID, labRow, podReady, record } from './env.ts';

let embedded: EmbeddedPostgres;
let prisma: PrismaClient;
let sim: KubeSim;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'worker-embedded-'));
  embedded = await startEmbeddedPostgres({ dataDir: 'memory://' });
  await migrate(embedded.url);
  await (await startQueue(embedded.url, { supervise: false, max: 1 })).stop({ graceful: false });
  prisma = createPrisma(embedded.url, { max: 2 });
  const runtime = createPodRuntime({ dataDir: join(dir, 'data') });
  sim = await startKubeSim({ runtime, podReadyDelayMs: 30, dataDir: join(dir, 'data') });
  runtime.attachView(sim.view);
  await loadClass(
    { apply: (o) => sim.apply(o as unknown as KubeObject[] | string) },
    generateClass({ students: 1, lab: LAB_ID, namespaces: ['emb'], mistakes: [null] }),
  );
  await until('the emb Redis pod Ready', () => podReady(sim, 'emb'), { timeoutMs: 60_000 });
  // PGlite (WASM) start-up and migrations are slow on a loaded 2-core machine.
}, 300_000);
afterAll(async () => {
  await prisma?.$disconnect();
  await sim?.stop();
  await embedded?.stop();
  await rm(dir, { recursive: true, force: true });
});

it('grades a run end to end on the embedded server, streaming every check', async () => {
  await prisma.lab.create({ data: labRow() });
  const course = await prisma.course.create({ data: { slug: 'c', name: 'C' } });
  const user = await prisma.user.create({ data: { email: 'emb@example.test', name: 'E' } });
  const e = await prisma.enrollment.create({
    data: { userId: user.id, courseId: course.id, namespace: 'emb' },
  });
  const { run } = await submitRun(
    prisma,
    {
      enrollmentId: e.id,
      labId: LAB_ID,
      trigger: 'STUDENT',
      triggeredById: user.id,
      disruptive: true,
      cooldown: { userId: user.id, rate: 2, burst: 3 },
    },
    { timeMultiplier: FAST.timeMultiplier },
  );
  const pubsub = await createPubSub(embedded.url);
  const progress = record(pubsub, runTopic(run.id));
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfigYaml);
  const worker = await startWorker({
    databaseUrl: embedded.url,
    kube: kc,
    logger: pino({ level: 'silent' }),
    concurrency: 2,
    ...FAST,
    // PGlite serves one connection at a time: under load a heartbeat can wait longer than FAST's 3 s
    // staleness, which would (correctly) hand the run to a second attempt. This test is about the
    // embedded path, not recovery (crash.test.ts covers that), so use the production staleness.
    staleAfterSeconds: 30,
  });
  try {
    await until(
      'the run PASSED',
      async () => (await prisma.gradingRun.findUniqueOrThrow({ where: { id: run.id } })).status === 'PASSED',
      { timeoutMs: 120_000 },
    );
    await until('the finished progress event', () => progress.events.some((ev) => ev.event === 'finished'), {
      timeoutMs: 5000,
    });
    expect(progress.events.filter((ev) => ev.event === 'check-finished').map((ev) => ev.checkId)).toEqual(
      CHECKS,
    );
    expect(await prisma.gradingRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({
      score: 100,
      attempts: 1,
    });
  } finally {
    await worker.stop();
    progress.stop();
    await new Promise<void>((r) => pubsub.close(r));
  }
}, 240_000);
