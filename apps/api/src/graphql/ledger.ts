// Deadlines, the score policy, extensions, manual adjustments and the score ledger: the resolvers
// of those operations (merged into `operations` in resolvers.ts; rules in rules.ts). Every number
// the ledger shows is read from the read model by @kubegrade/db's readLedger; nothing here
// computes a score.
import { z } from 'zod';
import { readLedger, type Ledger, type Lab as LabRow } from '@kubegrade/db';
import { ApiError, validate } from '../lib/errors.ts';
import { toLabView } from '../lib/labs.ts';
import { audit } from '../lib/audit.ts';
import { assertOwnsEnrollment, isStaff } from '../lib/access.ts';
import type { Ctx } from './context.ts';

type Args = Record<string, unknown>;

const id = z.string().min(1).max(200);
const date = z
  .date()
  .refine((d) => !Number.isNaN(d.getTime()), 'not a valid date-time (ISO 8601, e.g. 2026-12-20T23:59:00Z)');
const reason = z.string().trim().min(1, 'say why').max(500);

/** Whether `tz` is an IANA time zone this runtime knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const scheduleInput = z
  .object({
    opensAt: date.nullish(),
    dueAt: date.nullish(),
    closesAt: date.nullish(),
    latePenaltyPercent: z.number().gt(0, 'a late step takes more than 0%').max(100).nullish(),
    lateStepHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 366)
      .nullish(),
    lateFloorPercent: z.number().min(0).max(100).nullish(),
    scorePolicy: z.enum(['BEST', 'LAST', 'BEST_BEFORE_DUE']),
  })
  .refine((s) => !(s.opensAt && s.dueAt) || s.opensAt < s.dueAt, {
    message: 'the open date must be before the due date',
    path: ['opensAt'],
  })
  .refine((s) => !(s.dueAt && s.closesAt) || s.dueAt <= s.closesAt, {
    message: 'the close must not be before the due date',
    path: ['closesAt'],
  })
  .refine((s) => !s.closesAt || s.dueAt, { message: 'a close needs a due date', path: ['closesAt'] })
  .refine((s) => s.latePenaltyPercent == null || s.dueAt, {
    message: 'late steps need a due date',
    path: ['latePenaltyPercent'],
  });

async function labRow(ctx: Ctx, labId: string): Promise<LabRow> {
  const lab = await ctx.db.lab.findUnique({ where: { id: labId } });
  if (!lab || (!lab.enabled && !isStaff(ctx.user))) throw new ApiError('NOT_FOUND', `no lab "${labId}"`);
  return lab;
}

async function enrollmentRow(ctx: Ctx, enrollmentId: string) {
  const e = await ctx.db.enrollment.findUnique({
    where: { id: enrollmentId },
    include: { user: true, course: true },
  });
  if (!e) throw new ApiError('NOT_FOUND', `no enrollment "${enrollmentId}"`);
  return e;
}

/** The ledger in the GraphQL shape: run ids become runs (one query for all of them). */
async function ledgerObj(ctx: Ctx, lab: LabRow, ledger: Ledger) {
  const view = toLabView(lab);
  const runIds = [
    ...new Set([...ledger.runs.map((r) => r.runId), ...(ledger.counted ? [ledger.counted.runId] : [])]),
  ];
  const [runs, enrollment] = await Promise.all([
    ctx.db.gradingRun.findMany({ where: { id: { in: runIds } } }),
    enrollmentRow(ctx, ledger.enrollmentId),
  ]);
  const byId = new Map(runs.map((r) => [r.id, r]));
  const title = (checkId: string) =>
    view.checks.find((c) => c.id === checkId)?.title ?? { zh: checkId, en: checkId };
  return {
    lab: view,
    enrollment,
    student: enrollment.user,
    courseTimeZone: ledger.courseTimeZone,
    schedule: ledger.schedule,
    extension: ledger.extension ? { ...ledger.extension, enrollment } : null,
    effectiveDueAt: ledger.effectiveDueAt,
    counted: ledger.counted
      ? {
          ...ledger.counted,
          run: byId.get(ledger.counted.runId),
          checks: ledger.counted.checks.map((c) => ({ ...c, title: title(c.checkId) })),
        }
      : null,
    adjustments: ledger.adjustments,
    adjustmentTotal: ledger.adjustmentTotal,
    finalScore: ledger.finalScore,
    runs: ledger.runs.filter((r) => byId.has(r.runId)).map((r) => ({ ...r, run: byId.get(r.runId) })),
  };
}

/** The enrollment whose ledger the caller may read: a student's own (from the session), any for staff. */
async function ledgerEnrollmentId(ctx: Ctx, enrollmentId: string | null | undefined): Promise<string> {
  if (enrollmentId) {
    const e = await enrollmentRow(ctx, enrollmentId);
    assertOwnsEnrollment(ctx.user, e);
    return e.id;
  }
  if (isStaff(ctx.user))
    throw new ApiError('BAD_USER_INPUT', 'pass the enrollmentId of the student whose ledger you want');
  const own = await ctx.db.enrollment.findFirst({
    where: { userId: ctx.user!.id },
    orderBy: { createdAt: 'asc' },
  });
  if (!own)
    throw new ApiError(
      'NOT_FOUND',
      'you are not enrolled in a course yet; ask your instructor to import you',
    );
  return own.id;
}

/** Query and Mutation resolvers of the schedule, extensions, adjustments and the ledger. */
export const ledgerOperations = {
  Query: {
    scoreLedger: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ labId: id, enrollmentId: id.nullish() }), args);
      const lab = await labRow(ctx, a.labId);
      const enrollmentId = await ledgerEnrollmentId(ctx, a.enrollmentId);
      return ledgerObj(ctx, lab, await readLedger(ctx.db, lab.id, enrollmentId));
    },

    labExtensions: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ labId: id }), args);
      await labRow(ctx, a.labId);
      return ctx.db.labExtension.findMany({
        where: { labId: a.labId },
        include: { enrollment: { include: { user: true, course: true } } },
        orderBy: { dueAt: 'asc' },
        take: 10_000,
      });
    },

    courses: (_: unknown, __: Args, ctx: Ctx) =>
      ctx.db.course.findMany({ orderBy: { slug: 'asc' }, take: 1000 }),
  },

  Mutation: {
    setLabSchedule: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ labId: id, input: scheduleInput }), args);
      const before = await labRow(ctx, a.labId);
      const data = {
        opensAt: a.input.opensAt ?? null,
        dueAt: a.input.dueAt ?? null,
        closesAt: a.input.closesAt ?? null,
        latePenaltyPercent: a.input.latePenaltyPercent ?? null,
        lateStepHours: a.input.lateStepHours ?? 24,
        lateFloorPercent: a.input.lateFloorPercent ?? 0,
        scorePolicy: a.input.scorePolicy,
      };
      // The update's trigger recomputes every ledger of the lab in this transaction.
      const after = await ctx.db.$transaction(async (tx) => {
        const row = await tx.lab.update({ where: { id: before.id }, data });
        const pick = (l: LabRow) => ({
          opensAt: l.opensAt,
          dueAt: l.dueAt,
          closesAt: l.closesAt,
          latePenaltyPercent: l.latePenaltyPercent,
          lateStepHours: l.lateStepHours,
          lateFloorPercent: l.lateFloorPercent,
          scorePolicy: l.scorePolicy,
        });
        await audit(tx, {
          actor: ctx.user,
          action: 'lab.schedule',
          subject: `lab:${before.id}`,
          before: pick(before),
          after: pick(row),
        });
        return row;
      });
      return toLabView(after);
    },

    setExtension: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(
        z.object({ labId: id, enrollmentId: id, dueAt: date, reason: z.string().trim().max(500).nullish() }),
        args,
      );
      const lab = await labRow(ctx, a.labId);
      const enrollment = await enrollmentRow(ctx, a.enrollmentId);
      const row = await ctx.db.$transaction(async (tx) => {
        const old = await tx.labExtension.findUnique({
          where: { labId_enrollmentId: { labId: lab.id, enrollmentId: enrollment.id } },
        });
        const data = { dueAt: a.dueAt, reason: a.reason || null, createdById: ctx.user!.id };
        const x = await tx.labExtension.upsert({
          where: { labId_enrollmentId: { labId: lab.id, enrollmentId: enrollment.id } },
          create: { labId: lab.id, enrollmentId: enrollment.id, ...data },
          update: data,
        });
        await audit(tx, {
          actor: ctx.user,
          action: 'lab.extension',
          subject: `lab:${lab.id}`,
          before: old ? { namespace: enrollment.namespace, dueAt: old.dueAt } : undefined,
          after: { namespace: enrollment.namespace, dueAt: x.dueAt },
          reason: x.reason ?? undefined,
        });
        return x;
      });
      return { ...row, enrollment };
    },

    removeExtension: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ labId: id, enrollmentId: id }), args);
      const lab = await labRow(ctx, a.labId);
      const enrollment = await enrollmentRow(ctx, a.enrollmentId);
      return ctx.db.$transaction(async (tx) => {
        const old = await tx.labExtension.findUnique({
          where: { labId_enrollmentId: { labId: lab.id, enrollmentId: enrollment.id } },
        });
        if (!old) return false;
        await tx.labExtension.delete({
          where: { labId_enrollmentId: { labId: lab.id, enrollmentId: enrollment.id } },
        });
        await audit(tx, {
          actor: ctx.user,
          action: 'lab.extension.remove',
          subject: `lab:${lab.id}`,
          before: { namespace: enrollment.namespace, dueAt: old.dueAt },
        });
        return true;
      });
    },

    adjustScore: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(
        z.object({
          labId: id,
          enrollmentId: id,
          points: z
            .number()
            .min(-10_000)
            .max(10_000)
            .refine((p) => p !== 0, 'an adjustment of 0 changes nothing'),
          reason,
        }),
        args,
      );
      const lab = await labRow(ctx, a.labId);
      const enrollment = await enrollmentRow(ctx, a.enrollmentId);
      await ctx.db.$transaction(async (tx) => {
        const adj = await tx.scoreAdjustment.create({
          data: {
            labId: lab.id,
            enrollmentId: enrollment.id,
            points: a.points,
            reason: a.reason,
            actorId: ctx.user!.id,
            actor: ctx.user!.email,
          },
        });
        await audit(tx, {
          actor: ctx.user,
          action: 'score.adjust',
          subject: `lab:${lab.id}`,
          after: { namespace: enrollment.namespace, points: a.points, adjustmentId: adj.id },
          reason: a.reason,
        });
      });
      return ledgerObj(ctx, lab, await readLedger(ctx.db, lab.id, enrollment.id));
    },

    setCourseTimeZone: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(
        z.object({
          courseId: id,
          timeZone: z
            .string()
            .min(1)
            .max(100)
            .refine(isTimeZone, 'not an IANA time zone (e.g. Asia/Shanghai, Europe/Berlin, UTC)'),
        }),
        args,
      );
      const before = await ctx.db.course.findUnique({ where: { id: a.courseId } });
      if (!before) throw new ApiError('NOT_FOUND', `no course "${a.courseId}"`);
      const after = await ctx.db.course.update({ where: { id: before.id }, data: { timeZone: a.timeZone } });
      await audit(ctx.db, {
        actor: ctx.user,
        action: 'course.timezone',
        subject: `course:${before.slug}`,
        before: { timeZone: before.timeZone },
        after: { timeZone: after.timeZone },
      });
      return after;
    },
  },
};
