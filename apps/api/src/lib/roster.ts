// Roster import: CSV (email,name,student_id,namespace) -> student accounts and enrollments, with a
// dry-run preview, per-line errors and one-time set-password links for new accounts.
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { PrismaClient } from '@kubegrade/db';
import { ApiError } from './errors.ts';
import { hashToken, newToken } from './crypto.ts';
import { audit } from './audit.ts';
import type { SessionUser } from '../types.ts';

/** How long a set-password link works. */
export const SET_PASSWORD_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** An RFC 1123 DNS label, which is what a Kubernetes namespace name must be. */
export const NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** One roster line's planned or applied change. */
export interface RosterChange {
  line: number;
  action: 'create' | 'update' | 'unchanged';
  email: string;
  name: string;
  studentId: string | null;
  namespace: string;
  setPasswordUrl: string | null;
}

/** What importRoster reports. */
export interface RosterImportResult {
  dryRun: boolean;
  created: number;
  updated: number;
  unchanged: number;
  changes: RosterChange[];
  errors: { line: number; message: string }[];
}

const REQUIRED = ['email', 'name', 'student_id', 'namespace'] as const;
const emailSchema = z.string().email();

interface Row {
  line: number;
  email: string;
  name: string;
  studentId: string | null;
  namespace: string;
}

/** Parses and checks the file; lines with errors are reported and left out. */
function parseRows(csv: string): { rows: Row[]; errors: { line: number; message: string }[] } {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(csv, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      bom: true,
      info: true,
    }) as unknown as { record: Record<string, string>; info: { lines: number } }[];
  } catch (err) {
    const e = err as { message: string; lines?: number };
    return { rows: [], errors: [{ line: e.lines ?? 1, message: `the file is not valid CSV: ${e.message}` }] };
  }
  const first = records[0]?.record;
  if (first) {
    const missing = REQUIRED.filter((c) => !(c in first));
    if (missing.length) {
      return { rows: [], errors: [{ line: 1, message: `the header needs the columns ${REQUIRED.join(',')} (missing: ${missing.join(', ')})` }] };
    }
  }
  const rows: Row[] = [];
  const errors: { line: number; message: string }[] = [];
  const seen = { email: new Map<string, number>(), namespace: new Map<string, number>(), studentId: new Map<string, number>() };
  for (const { record, info } of records) {
    const line = info.lines;
    const email = (record.email ?? '').toLowerCase();
    const name = record.name ?? '';
    const studentId = record.student_id ? record.student_id : null;
    const namespace = record.namespace ?? '';
    const problems: string[] = [];
    if (!emailSchema.safeParse(email).success) problems.push(`"${email}" is not an email address`);
    if (!name) problems.push('the name is empty');
    if (namespace.length > 63 || !NAMESPACE_RE.test(namespace)) {
      problems.push(`"${namespace}" is not a valid namespace (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`);
    }
    const dup = (kind: keyof typeof seen, value: string | null, label: string) => {
      if (!value) return;
      const prev = seen[kind].get(value);
      if (prev !== undefined) problems.push(`${label} "${value}" already appears on line ${prev}`);
      else seen[kind].set(value, line);
    };
    dup('email', email, 'email');
    dup('namespace', namespace, 'namespace');
    dup('studentId', studentId, 'student id');
    if (problems.length) errors.push({ line, message: problems.join('; ') });
    else rows.push({ line, email, name, studentId, namespace });
  }
  return { rows, errors };
}

/** Imports (or, with dryRun, previews) a roster into the course `courseSlug` (default: the only course, or "default"). */
export async function importRoster(
  db: PrismaClient,
  input: { csv: string; dryRun: boolean; courseSlug?: string | null; actor: SessionUser; publicUrl: string },
): Promise<RosterImportResult> {
  const { rows, errors } = parseRows(input.csv);
  let course = input.courseSlug ? await db.course.findUnique({ where: { slug: input.courseSlug } }) : null;
  if (!input.courseSlug) {
    const courses = await db.course.findMany({ take: 2, orderBy: { createdAt: 'asc' } });
    if (courses.length > 1) throw new ApiError('BAD_USER_INPUT', 'there are several courses: pass courseSlug to say which one');
    course = courses[0] ?? null;
  }
  const slug = input.courseSlug ?? course?.slug ?? 'default';

  const users = await db.user.findMany({
    where: { OR: [{ email: { in: rows.map((r) => r.email) } }, { studentId: { in: rows.flatMap((r) => (r.studentId ? [r.studentId] : [])) } }] },
  });
  const byEmail = new Map(users.map((u) => [u.email, u]));
  const byStudentId = new Map(users.flatMap((u) => (u.studentId ? [[u.studentId, u] as const] : [])));
  const enrollments = course
    ? await db.enrollment.findMany({ where: { courseId: course.id }, include: { user: true } })
    : [];
  const enrollmentByUser = new Map(enrollments.map((e) => [e.userId, e]));
  const enrollmentByNamespace = new Map(enrollments.map((e) => [e.namespace, e]));

  const changes: RosterChange[] = [];
  for (const r of rows) {
    const existing = byEmail.get(r.email);
    const problems: string[] = [];
    if (existing && existing.role !== 'STUDENT') problems.push(`${r.email} is a ${existing.role.toLowerCase()} account, not a student`);
    const owner = enrollmentByNamespace.get(r.namespace);
    if (owner && owner.user.email !== r.email) problems.push(`namespace "${r.namespace}" already belongs to ${owner.user.email}`);
    const sidOwner = r.studentId ? byStudentId.get(r.studentId) : undefined;
    if (sidOwner && sidOwner.email !== r.email) problems.push(`student id "${r.studentId}" already belongs to ${sidOwner.email}`);
    if (problems.length) {
      errors.push({ line: r.line, message: problems.join('; ') });
      continue;
    }
    const enrollment = existing ? enrollmentByUser.get(existing.id) : undefined;
    const action: RosterChange['action'] = !existing
      ? 'create'
      : existing.name !== r.name || existing.studentId !== r.studentId || enrollment?.namespace !== r.namespace
        ? 'update'
        : 'unchanged';
    changes.push({ line: r.line, action, email: r.email, name: r.name, studentId: r.studentId, namespace: r.namespace, setPasswordUrl: null });
  }
  errors.sort((a, b) => a.line - b.line);

  if (!input.dryRun && changes.some((c) => c.action !== 'unchanged')) {
    await db.$transaction(async (tx) => {
      const c = course ?? (await tx.course.upsert({ where: { slug }, create: { slug, name: slug }, update: {} }));
      for (const ch of changes) {
        if (ch.action === 'unchanged') continue;
        const before = byEmail.get(ch.email);
        let userId: string;
        if (!before) {
          const token = newToken();
          const u = await tx.user.create({
            data: {
              email: ch.email,
              name: ch.name,
              studentId: ch.studentId,
              role: 'STUDENT',
              passwordSetTokenHash: hashToken(token),
              passwordSetTokenExpiresAt: new Date(Date.now() + SET_PASSWORD_TTL_MS),
            },
          });
          userId = u.id;
          ch.setPasswordUrl = `${input.publicUrl}/set-password?token=${encodeURIComponent(token)}`;
        } else {
          userId = before.id;
          await tx.user.update({ where: { id: userId }, data: { name: ch.name, studentId: ch.studentId } });
        }
        await tx.enrollment.upsert({
          where: { courseId_userId: { courseId: c.id, userId } },
          create: { courseId: c.id, userId, namespace: ch.namespace },
          update: { namespace: ch.namespace },
        });
        const prev = before ? enrollmentByUser.get(before.id) : undefined;
        await audit(tx, {
          actor: input.actor,
          action: ch.action === 'create' ? 'roster.create' : 'roster.update',
          subject: `user:${userId}`,
          before: before ? { name: before.name, studentId: before.studentId, namespace: prev?.namespace ?? null } : undefined,
          after: { email: ch.email, name: ch.name, studentId: ch.studentId, namespace: ch.namespace, course: slug },
        });
      }
    });
  }
  const count = (a: RosterChange['action']) => changes.filter((c) => c.action === a).length;
  const result = { dryRun: input.dryRun, created: count('create'), updated: count('update'), unchanged: count('unchanged'), changes, errors };
  if (!input.dryRun) {
    await audit(db, {
      actor: input.actor,
      action: 'roster.import',
      subject: `course:${slug}`,
      after: { created: result.created, updated: result.updated, unchanged: result.unchanged, errors: errors.length },
    });
  }
  return result;
}
