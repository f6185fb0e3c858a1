// A regrade preview's dry run in the worker, against real PostgreSQL and kube-sim: the namespace is
// graded and the outcome lands on the preview item only; no run, no check row, no score is written.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegradePreview, startQueue } from '@kubegrade/db';
import type PgBoss from 'pg-boss';
import { startWorker } from '../src/index.ts';
import { until } from '@kubegrade/testkit';
import { FAST, LAB_ID, startEnv, type Env } from './env.ts';

let env: Env;
let boss: PgBoss;
const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

beforeAll(async () => {
  env = await startEnv(['w-preview']);
  boss = await startQueue(env.db.url, { supervise: false, max: 2 });
});
afterAll(async () => {
  await boss?.stop({ graceful: false });
  await env?.stop();
});

describe('a regrade preview dry run', () => {
  it('grades the namespace into the preview item and records no run or score', async () => {
    const s = env.students.get('w-preview')!;
    const previewId = await createRegradePreview(env.db.prisma, boss, {
      labId: LAB_ID,
      enrollmentIds: [s.enrollmentId],
      disruptive: false,
      actor: null,
    });
    const w = await startWorker({ databaseUrl: env.db.url, kube: env.kc, logger, concurrency: 1, ...FAST });
    try {
      const item = () =>
        env.db.prisma.regradePreviewItem.findUniqueOrThrow({
          where: { previewId_enrollmentId: { previewId, enrollmentId: s.enrollmentId } },
        });
      await until('the preview item graded (not QUEUED)', async () => (await item()).status !== 'QUEUED', {
        timeoutMs: 90_000,
      });
      const done = await item();
      expect(done).toMatchObject({ status: 'DONE', maxScore: 100, error: null });
      // Without the disruptive check (a dry run leaves pods alone unless told otherwise) the rest pass.
      const stored = done.checks as { runStatus: string; checks: { id: string; status: string }[] };
      expect(stored.checks.map((c) => [c.id, c.status])).toEqual([
        ['pv-claimref', 'pass'],
        ['pvc-bound', 'pass'],
        ['statefulset-ready', 'pass'],
        ['headless-dns', 'pass'],
        ['redis-persistence', 'skipped'],
      ]);
      expect(done.newScore).toBe(75);
      expect(await env.db.prisma.gradingRun.count({ where: { enrollmentId: s.enrollmentId } })).toBe(0);
      expect(await env.db.prisma.scoreboardEntry.count({ where: { enrollmentId: s.enrollmentId } })).toBe(0);
    } finally {
      await w.stop();
    }
  });
});
