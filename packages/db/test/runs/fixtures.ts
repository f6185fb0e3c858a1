// What the run tests share: a database with pg-boss on it, users with enrollments in one course,
// a lab, and the plan and outcomes the worker-side writes take.
import type PgBoss from 'pg-boss';
import { afterAll, beforeAll } from 'vitest';
import {
  createTestDatabase,
  startQueue,
  type CheckOutcome,
  type PrismaClient,
  type TestDatabase,
} from '../../src/index.ts';

/**
 * A fresh database with pg-boss started on it for this test file, dropped after it; `use` receives
 * both once they are ready (call at the top of the file).
 */
export function useQueueDatabase(use: (t: TestDatabase, boss: PgBoss) => void): void {
  let t: TestDatabase | undefined;
  let boss: PgBoss | undefined;
  beforeAll(async () => {
    t = await createTestDatabase();
    boss = await startQueue(t.url, { supervise: false, max: 2 });
    use(t, boss);
  });
  afterAll(async () => {
    await boss?.stop({ graceful: false });
    await t?.drop();
  });
}

/** The plan of LAB_DEFINITION's checks, as the worker begins an attempt with it. */
export const PLANNED = [
  { id: 'one', position: 0, maxPoints: 40 },
  { id: 'two', position: 1, maxPoints: 60 },
];
/** The run facts the worker records with an attempt. */
export const RUN_META = { labVersion: '1', graderVersion: 'test', maxScore: 100 };

/** A check's outcome as the grader reports it. */
export function checkOutcome(
  id: string,
  status: CheckOutcome['status'],
  points: number,
  more: Partial<CheckOutcome> = {},
): CheckOutcome {
  return {
    id,
    status,
    points,
    maxPoints: points,
    message: status,
    hint: null,
    evidence: {},
    durationMs: 5,
    ...more,
  };
}

/** A lab definition shaped like packages/grader's Lab (the runs module reads checks' points and deadlines). */
export const LAB_DEFINITION = {
  id: 'lab-a',
  version: '1',
  title: { zh: '实验', en: 'Lab' },
  params: {},
  checks: [
    {
      id: 'one',
      uses: 'pv-claimref',
      with: {},
      needs: [],
      points: 40,
      disruptive: false,
      title: { zh: '一', en: 'one' },
      timeoutSeconds: 30,
    },
    {
      id: 'two',
      uses: 'pvc-bound',
      with: {},
      needs: [],
      points: 60,
      disruptive: false,
      title: { zh: '二', en: 'two' },
      timeoutSeconds: 60,
    },
  ],
};

/** Creates a course, `n` students each enrolled in their own namespace `ns-<i>`, and labs (emails unique per call). */
export async function seed(prisma: PrismaClient, n: number, labIds: string[] = ['lab-a']) {
  const tag = Math.random().toString(36).slice(2, 8);
  const course = await prisma.course.create({ data: { slug: `c-${tag}`, name: 'Course' } });
  for (const id of labIds) {
    await prisma.lab.create({ data: { id, version: '1', definition: { ...LAB_DEFINITION, id } } });
  }
  const students = [];
  for (let i = 0; i < n; i++) {
    const user = await prisma.user.create({
      data: { email: `s${i}-${tag}@example.test`, name: `Student ${i}` },
    });
    const enrollment = await prisma.enrollment.create({
      data: { userId: user.id, courseId: course.id, namespace: `ns-${i}` },
    });
    students.push({ user, enrollment });
  }
  return { course, students };
}
