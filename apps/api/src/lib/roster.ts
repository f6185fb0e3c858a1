// Roster import: CSV (email,name,student_id,namespace) -> student accounts and enrollments, with a
// dry-run preview, per-line errors and one-time set-password links for new accounts. An optional
// `extensions` column gives per-student due dates: `<labId>=<ISO 8601 date-time with zone>` pairs
// separated by ';' (e.g. `redis-exist-pvc=2026-12-20T23:59:00+08:00`), written as LabExtension rows.
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { PrismaClient } from '@kubegrade/db';
import { ApiError } from './errors.ts';
import { hashToken, newToken } from './crypto.ts';
import { audit, auditMany, type AuditInput } from './audit.ts';
import type { SessionUser } from '../types.ts';

/** The most students one import may name (larger classes import in parts). */
export const MAX_ROSTER_ROWS = 10_000;

// Lookups and INSERTs go in batches: PostgreSQL takes at most 65,535 bind parameters a statement.
const BATCH = 1000;
function batches<T>(items: T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

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
  /** Extensions the line sets (the `extensions` column). */
  extensions: number;
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
  extensions: { labId: string; dueAt: Date }[];
}

/** The most extensions one roster line may set. */
const MAX_EXTENSIONS_PER_LINE = 50;
const ZONED_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** The `extensions` cell: `lab=date` pairs separated by ';'; dates must name their zone (stored in UTC). */
function parseExtensions(cell: string | undefined, problems: string[]): Row['extensions'] {
  const out: Row['extensions'] = [];
  const parts = (cell ?? '')
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length > MAX_EXTENSIONS_PER_LINE) {
    problems.push(`at most ${MAX_EXTENSIONS_PER_LINE} extensions a line (found ${parts.length})`);
    return out;
  }
  for (const part of parts) {
    const eq = part.indexOf('=');
    const labId = part.slice(0, eq).trim();
    const date = part.slice(eq + 1).trim();
    if (eq < 1 || !ZONED_DATE.test(date) || Number.isNaN(Date.parse(date))) {
      problems.push(
        `extension "${part.slice(0, 100)}" is not <lab>=<date-time with zone>, e.g. redis-exist-pvc=2026-12-20T23:59:00+08:00`,
      );
      continue;
    }
    if (out.some((x) => x.labId === labId)) problems.push(`lab "${labId}" has two extensions on this line`);
    else out.push({ labId, dueAt: new Date(date) });
  }
  return out;
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
  if (records.length > MAX_ROSTER_ROWS) {
    throw new ApiError(
      'BAD_USER_INPUT',
      `the file has ${records.length} students; one import takes at most ${MAX_ROSTER_ROWS} (split the file and import each part)`,
    );
  }
  const first = records[0]?.record;
  if (first) {
    const missing = REQUIRED.filter((c) => !(c in first));
    if (missing.length) {
      return {
        rows: [],
        errors: [
          {
            line: 1,
            message: `the header needs the columns ${REQUIRED.join(',')} (missing: ${missing.join(', ')})`,
          },
        ],
      };
    }
  }
  const rows: Row[] = [];
  const errors: { line: number; message: string }[] = [];
  const seen = {
    email: new Map<string, number>(),
    namespace: new Map<string, number>(),
    studentId: new Map<string, number>(),
  };
  for (const { record, info } of records) {
    const line = info.lines;
    const email = (record.email ?? '').toLowerCase();
    const name = record.name ?? '';
    const studentId = record.student_id ? record.student_id : null;
    const namespace = record.namespace ?? '';
    const problems: string[] = [];
    const extensions = parseExtensions(record.extensions, problems);
    if (!emailSchema.safeParse(email).success) problems.push(`"${email}" is not an email address`);
    if (!name) problems.push('the name is empty');
    if (namespace.length > 63 || !NAMESPACE_RE.test(namespace)) {
      problems.push(
        `"${namespace}" is not a valid namespace (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`,
      );
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
    else rows.push({ line, email, name, studentId, namespace, extensions });
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
    if (courses.length > 1)
      throw new ApiError('BAD_USER_INPUT', 'there are several courses: pass courseSlug to say which one');
    course = courses[0] ?? null;
  }
  const slug = input.courseSlug ?? course?.slug ?? 'default';

  const users = [];
  for (const part of batches(rows)) {
    users.push(
      ...(await db.user.findMany({
        where: {
          OR: [
            { email: { in: part.map((r) => r.email) } },
            { studentId: { in: part.flatMap((r) => (r.studentId ? [r.studentId] : [])) } },
          ],
        },
      })),
    );
  }
  const byEmail = new Map(users.map((u) => [u.email, u]));
  const byStudentId = new Map(users.flatMap((u) => (u.studentId ? [[u.studentId, u] as const] : [])));
  const enrollments = course
    ? await db.enrollment.findMany({ where: { courseId: course.id }, include: { user: true } })
    : [];
  const enrollmentByUser = new Map(enrollments.map((e) => [e.userId, e]));
  const enrollmentByNamespace = new Map(enrollments.map((e) => [e.namespace, e]));
  const extensionLabs = [...new Set(rows.flatMap((r) => r.extensions.map((x) => x.labId)))];
  const knownLabs = new Set(
    extensionLabs.length
      ? (await db.lab.findMany({ where: { id: { in: extensionLabs } }, select: { id: true } })).map(
          (l) => l.id,
        )
      : [],
  );

  const changes: RosterChange[] = [];
  for (const r of rows) {
    const existing = byEmail.get(r.email);
    const problems: string[] = [];
    if (existing && existing.role !== 'STUDENT')
      problems.push(`${r.email} is a ${existing.role.toLowerCase()} account, not a student`);
    const owner = enrollmentByNamespace.get(r.namespace);
    if (owner && owner.user.email !== r.email)
      problems.push(`namespace "${r.namespace}" already belongs to ${owner.user.email}`);
    const sidOwner = r.studentId ? byStudentId.get(r.studentId) : undefined;
    if (sidOwner && sidOwner.email !== r.email)
      problems.push(`student id "${r.studentId}" already belongs to ${sidOwner.email}`);
    for (const x of r.extensions)
      if (!knownLabs.has(x.labId)) problems.push(`extension for unknown lab "${x.labId}"`);
    if (problems.length) {
      errors.push({ line: r.line, message: problems.join('; ') });
      continue;
    }
    const enrollment = existing ? enrollmentByUser.get(existing.id) : undefined;
    const action: RosterChange['action'] = !existing
      ? 'create'
      : existing.name !== r.name ||
          existing.studentId !== r.studentId ||
          enrollment?.namespace !== r.namespace
        ? 'update'
        : 'unchanged';
    changes.push({
      line: r.line,
      action,
      email: r.email,
      name: r.name,
      studentId: r.studentId,
      namespace: r.namespace,
      setPasswordUrl: null,
      extensions: r.extensions.length,
    });
  }
  errors.sort((a, b) => a.line - b.line);

  const extensionsOf = new Map(rows.map((r) => [r.line, r.extensions]));
  const withExtensions = changes.filter((c) => c.extensions > 0);
  if (!input.dryRun && (changes.some((c) => c.action !== 'unchanged') || withExtensions.length)) {
    const todo = changes.filter((c) => c.action !== 'unchanged');
    try {
      // One transaction, batched statements, a timeout sized for the work: all or nothing.
      await db.$transaction(
        async (tx) => {
          const c =
            course ?? (await tx.course.upsert({ where: { slug }, create: { slug, name: slug }, update: {} }));
          const expires = new Date(Date.now() + SET_PASSWORD_TTL_MS);
          const userIdByEmail = new Map<string, string>();
          const creates = todo.filter((ch) => ch.action === 'create');
          // Raw INSERT ... SELECT FROM unnest(): a few parameters a statement, and much faster than
          // Prisma's createMany for thousands of rows.
          for (const part of batches(creates, 5000)) {
            const tokenHashes = part.map((ch) => {
              const token = newToken();
              ch.setPasswordUrl = `${input.publicUrl}/set-password?token=${encodeURIComponent(token)}`;
              return hashToken(token);
            });
            const made = await tx.$queryRaw<{ id: string; email: string }[]>`
              INSERT INTO "User" ("email", "name", "studentId", "role", "passwordSetTokenHash", "passwordSetTokenExpiresAt")
              SELECT v.email, v.name, v.sid, 'STUDENT', v.token_hash, ${expires}
              FROM unnest(${part.map((ch) => ch.email)}::text[], ${part.map((ch) => ch.name)}::text[], ${part.map((ch) => ch.studentId)}::text[], ${tokenHashes}::text[])
                AS v(email, name, sid, token_hash)
              RETURNING "id", "email"`;
            for (const u of made) userIdByEmail.set(u.email, u.id);
          }
          const updates = todo.filter((ch) => ch.action === 'update');
          for (const part of batches(updates, 5000)) {
            const ids = part.map((ch) => byEmail.get(ch.email)!.id);
            await tx.$executeRaw`
              UPDATE "User" AS u SET "name" = v.name, "studentId" = v.sid, "updatedAt" = now()
              FROM unnest(${ids}::text[], ${part.map((ch) => ch.name)}::text[], ${part.map((ch) => ch.studentId)}::text[]) AS v(id, name, sid)
              WHERE u.id = v.id`;
            part.forEach((ch, i) => userIdByEmail.set(ch.email, ids[i]!));
          }
          for (const part of batches(todo, 5000)) {
            const userIds = part.map((ch) => userIdByEmail.get(ch.email)!);
            await tx.$executeRaw`
              INSERT INTO "Enrollment" ("userId", "courseId", "namespace")
              SELECT v.uid, ${c.id}, v.ns FROM unnest(${userIds}::text[], ${part.map((ch) => ch.namespace)}::text[]) AS v(uid, ns)
              ON CONFLICT ("courseId", "userId") DO UPDATE SET "namespace" = EXCLUDED."namespace"`;
          }
          const entries: AuditInput[] = todo.map((ch) => {
            const before = byEmail.get(ch.email);
            const prev = before ? enrollmentByUser.get(before.id) : undefined;
            return {
              actor: input.actor,
              action: ch.action === 'create' ? 'roster.create' : 'roster.update',
              subject: `user:${userIdByEmail.get(ch.email)}`,
              before: before
                ? { name: before.name, studentId: before.studentId, namespace: prev?.namespace ?? null }
                : undefined,
              after: {
                email: ch.email,
                name: ch.name,
                studentId: ch.studentId,
                namespace: ch.namespace,
                course: slug,
              },
            };
          });
          // Extensions: the enrollments by namespace (just written, or already there), then one upsert.
          if (withExtensions.length) {
            const ext = withExtensions.flatMap((ch) =>
              (extensionsOf.get(ch.line) ?? []).map((x) => ({ ns: ch.namespace, ...x })),
            );
            const written = await tx.$queryRaw<{ labId: string; namespace: string; dueAt: Date }[]>`
              INSERT INTO "LabExtension" ("labId", "enrollmentId", "dueAt", "reason", "createdById")
              SELECT v.lab, e.id, v.due, 'roster import', ${input.actor.id}
              FROM unnest(${ext.map((x) => x.labId)}::text[], ${ext.map((x) => x.ns)}::text[], ${ext.map((x) => x.dueAt)}::timestamptz[]) AS v(lab, ns, due)
              JOIN "Enrollment" e ON e."courseId" = ${c.id} AND e.namespace = v.ns
              ON CONFLICT ("labId", "enrollmentId") DO UPDATE SET "dueAt" = EXCLUDED."dueAt", "reason" = EXCLUDED."reason", "createdById" = EXCLUDED."createdById"
              RETURNING "labId", (SELECT namespace FROM "Enrollment" WHERE id = "enrollmentId") AS namespace, "dueAt"`;
            for (const w of written) {
              entries.push({
                actor: input.actor,
                action: 'lab.extension',
                subject: `lab:${w.labId}`,
                after: { namespace: w.namespace, dueAt: w.dueAt },
                reason: 'roster import',
              });
            }
          }
          await auditMany(tx, entries);
        },
        { maxWait: 10_000, timeout: 30_000 + todo.length * 10 },
      );
    } catch (err) {
      for (const ch of todo) ch.setPasswordUrl = null;
      await audit(db, {
        actor: input.actor,
        action: 'roster.import.failed',
        subject: `course:${slug}`,
        reason: err instanceof Error ? err.message.slice(0, 2000) : String(err),
        after: { rows: rows.length, changes: todo.length },
      });
      throw err;
    }
  }
  const count = (a: RosterChange['action']) => changes.filter((c) => c.action === a).length;
  const result = {
    dryRun: input.dryRun,
    created: count('create'),
    updated: count('update'),
    unchanged: count('unchanged'),
    changes,
    errors,
  };
  if (!input.dryRun) {
    await audit(db, {
      actor: input.actor,
      action: 'roster.import',
      subject: `course:${slug}`,
      after: {
        created: result.created,
        updated: result.updated,
        unchanged: result.unchanged,
        errors: errors.length,
      },
    });
  }
  return result;
}
