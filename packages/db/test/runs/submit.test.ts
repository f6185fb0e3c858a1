// submitRun/cancelRun/queueInfo against a real PostgreSQL with pg-boss's schema.
import type PgBoss from 'pg-boss';
import { describe, expect, it } from 'vitest';
import {
  CooldownError,
  GRADE_QUEUE,
  QueueNotReadyError,
  cancelRun,
  createTestDatabase,
  leaseSecondsFor,
  queueInfo,
  submitRun,
  type PrismaClient,
  type TestDatabase,
} from '../../src/index.ts';
import { LAB_DEFINITION, seed, useQueueDatabase } from './fixtures.ts';

let t: TestDatabase;
let boss: PgBoss;
useQueueDatabase((db, b) => {
  t = db;
  boss = b;
});

async function clearRuns() {
  await t.prisma.gradingRun.deleteMany();
  await t.prisma.lab.deleteMany();
  await t.prisma.user.deleteMany();
  await t.prisma.course.deleteMany();
  await t.prisma.$executeRawUnsafe(`DELETE FROM pgboss.job WHERE name = '${GRADE_QUEUE}'`);
}

describe('submitRun', () => {
  it('makes one run for two submissions of the same namespace and lab, even at the same moment', async () => {
    await clearRuns();
    const { students } = await seed(t.prisma, 1);
    const input = {
      enrollmentId: students[0]!.enrollment.id,
      labId: 'lab-a',
      trigger: 'STUDENT' as const,
      disruptive: true,
    };
    const answers = await Promise.all([
      submitRun(t.prisma, input),
      submitRun(t.prisma, input),
      submitRun(t.prisma, input),
    ]);
    const ids = new Set(answers.map((a) => a.run.id));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => !a.joined)).toHaveLength(1);
    const later = await submitRun(t.prisma, { ...input, trigger: 'INSTRUCTOR' });
    expect(later).toMatchObject({ joined: true, run: { id: [...ids][0] } });
    expect(await t.prisma.gradingRun.count()).toBe(1);
    const run = answers[0]!.run;
    expect(run).toMatchObject({ status: 'QUEUED', namespace: 'ns-0', maxScore: 100, labVersion: '1' });
    const job = await boss.getJobById<{ runId: string }>(GRADE_QUEUE, run.jobId!);
    expect(job?.data).toEqual({ runId: run.id });
    expect(job?.state).toBe('created');
  });

  it('submits again when the run it collided with finished before it could join it', async () => {
    await clearRuns();
    const { students } = await seed(t.prisma, 1);
    const input = {
      enrollmentId: students[0]!.enrollment.id,
      labId: 'lab-a',
      trigger: 'STUDENT' as const,
      disruptive: true,
    };
    const other = await submitRun(t.prisma, input);
    // The race, made deterministic: our first look misses the other run (it is not committed yet),
    // our insert then hits the unique active-run index, and by our second look the other run is done.
    let looks = 0;
    const racing = t.prisma.$extends({
      query: {
        async $queryRawUnsafe({ args, query }) {
          // The lookup statement (lab, enrollment, active run, bucket); the create statement passes.
          if (!/^WITH lab AS/.test(String(args[0]))) return query(args);
          looks += 1;
          if (looks === 1)
            return ((await query(args)) as { active: unknown }[]).map((r) => ({ ...r, active: null }));
          if (looks === 2)
            await t.prisma.gradingRun.update({
              where: { id: other.run.id },
              data: { status: 'PASSED', finishedAt: new Date() },
            });
          return query(args);
        },
      },
    }) as unknown as PrismaClient;
    const mine = await submitRun(racing, input);
    expect({
      joined: mine.joined,
      fresh: mine.run.id !== other.run.id,
      status: mine.run.status,
      active: await t.prisma.gradingRun.count({ where: { status: 'QUEUED' } }),
    }).toEqual({
      joined: false,
      fresh: true,
      status: 'QUEUED',
      active: 1,
    });
  });

  it('queues a new run once the previous one has finished', async () => {
    await clearRuns();
    const { students } = await seed(t.prisma, 1);
    const input = {
      enrollmentId: students[0]!.enrollment.id,
      labId: 'lab-a',
      trigger: 'STUDENT' as const,
      disruptive: true,
    };
    const first = await submitRun(t.prisma, input);
    await t.prisma.gradingRun.update({
      where: { id: first.run.id },
      data: { status: 'PASSED', finishedAt: new Date() },
    });
    const second = await submitRun(t.prisma, input);
    expect(second.joined).toBe(false);
    expect(second.run.id).not.toBe(first.run.id);
  });

  it('sets the job lease from the lab deadlines and the time multiplier, and the retry policy', async () => {
    await clearRuns();
    const { students } = await seed(t.prisma, 1);
    const { run } = await submitRun(
      t.prisma,
      { enrollmentId: students[0]!.enrollment.id, labId: 'lab-a', trigger: 'STUDENT', disruptive: false },
      { timeMultiplier: 2, retryLimit: 4, retryDelaySeconds: 3 },
    );
    const job = await boss.getJobById(GRADE_QUEUE, run.jobId!);
    // (30 + 60) s of check deadlines x 2 + 60 s of slack.
    expect(leaseSecondsFor(LAB_DEFINITION, 2)).toBe(240);
    expect(Number((job as unknown as { expireInSeconds: string }).expireInSeconds)).toBe(240);
    expect(job).toMatchObject({ retryLimit: 4, retryDelay: 3, retryBackoff: true });
  });

  it('takes a cooldown token only for a new run and refuses with the remaining wait when empty', async () => {
    await clearRuns();
    const { students } = await seed(t.prisma, 1, ['lab-a', 'lab-b']);
    const me = students[0]!;
    const now = new Date('2026-01-01T00:00:00Z');
    const cooldown = { userId: me.user.id, rate: 2, burst: 1, now: () => now };
    const input = {
      enrollmentId: me.enrollment.id,
      labId: 'lab-a',
      trigger: 'STUDENT' as const,
      disruptive: true,
      cooldown,
    };
    expect((await submitRun(t.prisma, input)).joined).toBe(false);
    // Joining the queued run is free, even with an empty bucket.
    expect((await submitRun(t.prisma, input)).joined).toBe(true);
    const refused = submitRun(t.prisma, { ...input, labId: 'lab-b' });
    await expect(refused).rejects.toBeInstanceOf(CooldownError);
    await expect(refused).rejects.toMatchObject({ retryAfterSeconds: 30 });
    // The refused request left no run behind.
    expect(await t.prisma.gradingRun.count({ where: { labId: 'lab-b' } })).toBe(0);
  });

  it('explains unknown enrollments and labs', async () => {
    await expect(
      submitRun(t.prisma, { enrollmentId: 'nope', labId: 'lab-a', trigger: 'STUDENT', disruptive: true }),
    ).rejects.toThrow(/enrollment "nope" does not exist/);
  });
});

describe('fair ordering', () => {
  it('puts a student ahead of bulk regrades and interleaves namespaces within a bulk regrade', async () => {
    await clearRuns();
    const { students } = await seed(t.prisma, 3, ['lab-a', 'lab-b']);
    const [a, b, c] = students;
    const bulk = (e: typeof a, labId: string) =>
      submitRun(t.prisma, { enrollmentId: e!.enrollment.id, labId, trigger: 'WEBHOOK', disruptive: false });
    // A webhook regrades student a's two labs, then b's; then student c presses "Grade".
    await bulk(a, 'lab-a');
    await bulk(a, 'lab-b');
    await bulk(b, 'lab-a');
    await bulk(b, 'lab-b');
    await submitRun(t.prisma, {
      enrollmentId: c!.enrollment.id,
      labId: 'lab-a',
      trigger: 'STUDENT',
      disruptive: true,
    });
    const order: string[] = [];
    for (;;) {
      const [job] = await boss.fetch<{ runId: string }>(GRADE_QUEUE);
      if (!job) break;
      const run = await t.prisma.gradingRun.findUniqueOrThrow({ where: { id: job.data.runId } });
      order.push(`${run.namespace}/${run.labId}`);
    }
    expect(order).toEqual(['ns-2/lab-a', 'ns-0/lab-a', 'ns-1/lab-a', 'ns-0/lab-b', 'ns-1/lab-b']);
  });
});

describe('queueInfo', () => {
  it('gives the position in line and a wait from the median recent duration and the concurrency', async () => {
    await clearRuns();
    const { students } = await seed(t.prisma, 6);
    // History: three finished runs of 10, 20 and 90 s: the median is 20 s.
    const past = students[5]!.enrollment;
    for (const seconds of [10, 20, 90]) {
      const finishedAt = new Date(Date.now() - 3600_000);
      await t.prisma.gradingRun.create({
        data: {
          enrollmentId: past.id,
          labId: 'lab-a',
          namespace: past.namespace,
          trigger: 'STUDENT',
          status: 'PASSED',
          startedAt: new Date(finishedAt.getTime() - seconds * 1000),
          finishedAt,
        },
      });
    }
    const runs = [];
    for (const s of students.slice(0, 5)) {
      runs.push(
        (
          await submitRun(t.prisma, {
            enrollmentId: s.enrollment.id,
            labId: 'lab-a',
            trigger: 'INSTRUCTOR',
            disruptive: true,
          })
        ).run,
      );
    }
    const infos = [];
    for (const r of runs) infos.push(await queueInfo(t.prisma, r.id, { concurrency: 2 }));
    expect(infos).toEqual([
      { position: 1, estimatedWaitSeconds: 0 },
      { position: 2, estimatedWaitSeconds: 0 },
      { position: 3, estimatedWaitSeconds: 20 },
      { position: 4, estimatedWaitSeconds: 20 },
      { position: 5, estimatedWaitSeconds: 40 },
    ]);
    // A worker takes the first job: everyone moves up, and the running job holds a slot.
    const [job] = await boss.fetch<{ runId: string }>(GRADE_QUEUE);
    expect(job?.data.runId).toBe(runs[0]!.id);
    await t.prisma.gradingRun.update({ where: { id: runs[0]!.id }, data: { status: 'RUNNING' } });
    expect(await queueInfo(t.prisma, runs[0]!.id, { concurrency: 2 })).toEqual({
      position: null,
      estimatedWaitSeconds: null,
    });
    expect(await queueInfo(t.prisma, runs[1]!.id, { concurrency: 2 })).toEqual({
      position: 1,
      estimatedWaitSeconds: 0,
    });
    expect(await queueInfo(t.prisma, runs[2]!.id, { concurrency: 2 })).toEqual({
      position: 2,
      estimatedWaitSeconds: 20,
    });
  });
});

describe('cancelRun', () => {
  it('cancels a queued run so no worker takes it, and leaves a finished run alone', async () => {
    await clearRuns();
    const { students } = await seed(t.prisma, 1);
    const { run } = await submitRun(t.prisma, {
      enrollmentId: students[0]!.enrollment.id,
      labId: 'lab-a',
      trigger: 'STUDENT',
      disruptive: true,
    });
    const cancelled = await cancelRun(t.prisma, run.id);
    expect(cancelled.status).toBe('CANCELLED');
    expect(await boss.fetch(GRADE_QUEUE)).toEqual([]);
    expect((await cancelRun(t.prisma, run.id)).status).toBe('CANCELLED');
    // The namespace can be graded again at once.
    const again = await submitRun(t.prisma, {
      enrollmentId: students[0]!.enrollment.id,
      labId: 'lab-a',
      trigger: 'STUDENT',
      disruptive: true,
    });
    expect(again.joined).toBe(false);
  });
});

describe('without the queue', () => {
  it('refuses with a QueueNotReadyError that says how to fix it, and leaves no run behind', async () => {
    const bare = await createTestDatabase();
    try {
      const { students } = await seed(bare.prisma, 1);
      const attempt = submitRun(bare.prisma, {
        enrollmentId: students[0]!.enrollment.id,
        labId: 'lab-a',
        trigger: 'STUDENT',
        disruptive: true,
      });
      await expect(attempt).rejects.toBeInstanceOf(QueueNotReadyError);
      await expect(attempt).rejects.toThrow(/start the api or a worker/);
      expect(await bare.prisma.gradingRun.count()).toBe(0);
    } finally {
      await bare.drop();
    }
  });
});
