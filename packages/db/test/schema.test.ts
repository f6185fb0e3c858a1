// Rules the database itself enforces, through the Prisma client the apps use.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, pgTestUrl, type TestDatabase } from '../src/testing.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

async function enrolled(namespace: string) {
  const user = await db.prisma.user.create({ data: { email: `${namespace}@example.edu`, name: namespace } });
  const course = await db.prisma.course.upsert({
    where: { slug: 'k8s-storage' },
    create: { slug: 'k8s-storage', name: 'K8s storage' },
    update: {},
  });
  await db.prisma.lab.upsert({
    where: { id: 'statefulset-redis' },
    create: { id: 'statefulset-redis', version: '1', definition: {} },
    update: {},
  });
  return db.prisma.enrollment.create({ data: { userId: user.id, courseId: course.id, namespace } });
}

describe('schema rules', () => {
  it('allows one queued-or-running run per namespace and lab, any number of finished ones', async () => {
    const e = await enrolled('ns-one-run');
    const run = {
      enrollmentId: e.id,
      labId: 'statefulset-redis',
      namespace: e.namespace,
      trigger: 'STUDENT' as const,
    };
    const first = await db.prisma.gradingRun.create({ data: run });
    await expect(db.prisma.gradingRun.create({ data: { ...run, status: 'RUNNING' } })).rejects.toThrow(
      /GradingRun_namespace_labId_active_key/,
    );
    await db.prisma.gradingRun.update({
      where: { id: first.id },
      data: { status: 'PASSED', score: 10, maxScore: 10 },
    });
    await db.prisma.gradingRun.create({ data: { ...run, status: 'FAILED' } });
    await db.prisma.gradingRun.create({ data: run });
    expect(await db.prisma.gradingRun.count({ where: { namespace: e.namespace } })).toBe(3);
  });

  it('binds a namespace to one student per course', async () => {
    const e = await enrolled('ns-taken');
    const other = await db.prisma.user.create({ data: { email: 'other@example.edu', name: 'Other' } });
    await expect(
      db.prisma.enrollment.create({
        data: { userId: other.id, courseId: e.courseId, namespace: 'ns-taken' },
      }),
    ).rejects.toThrow(/Unique constraint/);
    await expect(
      db.prisma.enrollment.create({
        data: { userId: e.userId, courseId: e.courseId, namespace: 'ns-second' },
      }),
    ).rejects.toThrow(/Unique constraint/);
  });

  it('keeps check results unique per run and check, and lists them with the run', async () => {
    const e = await enrolled('ns-checks');
    const run = await db.prisma.gradingRun.create({
      data: {
        enrollmentId: e.id,
        labId: 'statefulset-redis',
        namespace: e.namespace,
        trigger: 'INSTRUCTOR',
        checks: {
          create: [
            { checkId: 'pv-bound', position: 0, maxPoints: 2 },
            { checkId: 'pvc-bound', position: 1, maxPoints: 3 },
          ],
        },
      },
    });
    await expect(
      db.prisma.checkResult.create({ data: { runId: run.id, checkId: 'pv-bound' } }),
    ).rejects.toThrow(/Unique constraint/);
    await db.prisma.checkResult.update({
      where: { runId_checkId: { runId: run.id, checkId: 'pv-bound' } },
      data: {
        status: 'FAIL',
        message: 'claimRef points at another claim',
        evidence: { expected: 'data-redis-0', found: 'other' },
      },
    });
    const loaded = await db.prisma.gradingRun.findUniqueOrThrow({
      where: { id: run.id },
      include: { checks: { orderBy: { position: 'asc' } } },
    });
    expect(loaded.checks.map((c) => [c.checkId, c.status])).toEqual([
      ['pv-bound', 'FAIL'],
      ['pvc-bound', 'PENDING'],
    ]);
    expect(loaded.checks[0]!.evidence).toEqual({ expected: 'data-redis-0', found: 'other' });
  });

  it('keeps the audit log append-only', async () => {
    const entry = await db.prisma.auditEntry.create({
      data: {
        actor: 'admin@example.edu',
        action: 'lab.disable',
        subject: 'lab:statefulset-redis',
        before: { enabled: true },
        after: { enabled: false },
      },
    });
    await expect(
      db.prisma.auditEntry.update({ where: { id: entry.id }, data: { reason: 'rewritten' } }),
    ).rejects.toThrow(/append-only/);
    await expect(db.prisma.auditEntry.deleteMany({})).rejects.toThrow(/append-only/);
    expect(await db.prisma.auditEntry.findUniqueOrThrow({ where: { id: entry.id } })).toMatchObject({
      reason: null,
      after: { enabled: false },
    });
  });

  it('refuses a second delivery with the same id for a webhook', async () => {
    const hook = await db.prisma.webhook.create({
      data: {
        name: 'ci',
        scopeKind: 'LABS',
        labs: ['statefulset-redis'],
        secrets: { create: { ciphertext: Buffer.from('c'), iv: Buffer.alloc(12), tag: Buffer.alloc(16) } },
      },
    });
    await db.prisma.webhookDelivery.create({
      data: { webhookId: hook.id, deliveryId: 'd-1', outcome: 'accepted' },
    });
    await expect(
      db.prisma.webhookDelivery.create({
        data: { webhookId: hook.id, deliveryId: 'd-1', outcome: 'accepted' },
      }),
    ).rejects.toThrow(/Unique constraint/);
  });
});

describe('createTestDatabase', () => {
  it('drops its database even with connections still open', async () => {
    const scratch = await createTestDatabase();
    const leftOpen = new pg.Client({ connectionString: scratch.url });
    await leftOpen.connect();
    leftOpen.on('error', () => {}); // the drop terminates it
    await scratch.drop();
    const admin = new pg.Client({ connectionString: pgTestUrl() });
    await admin.connect();
    try {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [scratch.name]);
      expect(rowCount).toBe(0);
    } finally {
      await admin.end();
      await leftOpen.end().catch(() => {});
    }
  });
});
