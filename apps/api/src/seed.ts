// Demo and test data: an instructor, an optional admin and enrolled students, idempotently.
import type { PrismaClient } from '@kubegrade/db';
import { hashPassword } from './lib/passwords.ts';

/** A person to create; a password makes the account usable at once. */
export interface SeedPerson {
  email: string;
  name?: string;
  password?: string;
}

/** What seed() creates. */
export interface SeedInput {
  instructor: SeedPerson & { password: string };
  admin?: SeedPerson & { password: string };
  students: { email: string; name: string; studentId?: string; namespace: string; password?: string }[];
  courseSlug: string;
  courseName?: string;
}

/** The ids seed() wrote. */
export interface SeedResult {
  courseId: string;
  instructorId: string;
  adminId: string | null;
  students: { userId: string; enrollmentId: string; email: string; namespace: string }[];
}

async function upsertUser(
  db: PrismaClient,
  p: SeedPerson & { studentId?: string },
  role: 'STUDENT' | 'INSTRUCTOR' | 'ADMIN',
) {
  const email = p.email.toLowerCase();
  const passwordHash = p.password ? await hashPassword(p.password) : undefined;
  const name = p.name ?? email.split('@')[0] ?? email;
  return db.user.upsert({
    where: { email },
    create: { email, name, role, studentId: p.studentId ?? null, passwordHash: passwordHash ?? null },
    update: {
      name,
      role,
      ...(p.studentId ? { studentId: p.studentId } : {}),
      ...(passwordHash ? { passwordHash } : {}),
    },
  });
}

/** Creates (or updates) the course, staff and enrolled students; safe to run twice. */
export async function seed(db: PrismaClient, input: SeedInput): Promise<SeedResult> {
  const course = await db.course.upsert({
    where: { slug: input.courseSlug },
    create: { slug: input.courseSlug, name: input.courseName ?? input.courseSlug },
    update: {},
  });
  const instructor = await upsertUser(db, input.instructor, 'INSTRUCTOR');
  const admin = input.admin ? await upsertUser(db, input.admin, 'ADMIN') : null;
  const students: SeedResult['students'] = [];
  for (const s of input.students) {
    const u = await upsertUser(db, s, 'STUDENT');
    const e = await db.enrollment.upsert({
      where: { courseId_userId: { courseId: course.id, userId: u.id } },
      create: { courseId: course.id, userId: u.id, namespace: s.namespace },
      update: { namespace: s.namespace },
    });
    students.push({ userId: u.id, enrollmentId: e.id, email: u.email, namespace: e.namespace });
  }
  return { courseId: course.id, instructorId: instructor.id, adminId: admin?.id ?? null, students };
}
