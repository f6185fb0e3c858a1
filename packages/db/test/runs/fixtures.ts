// Rows the run tests need: users with enrollments in one course, and a lab.
import type { PrismaClient } from '../../src/index.ts';

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
