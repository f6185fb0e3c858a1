// Query, Mutation and Subscription resolvers. Role rules come from rules.ts (applied by the
// plugin); what is checked here is ownership: a student's enrollment comes from the session,
// never from input.
import { z } from 'zod';
import type { Enrollment, GradingRun, Lab as LabRow, Prisma } from '@kubegrade/db';
import { ApiError, validate } from '../lib/errors.ts';
import { toLabView } from '../lib/labs.ts';
import { queryScoreboard, type ScoreboardRowData } from '../lib/scoreboard.ts';
import * as runs from '../lib/runs.ts';
import { importRoster, NAMESPACE_RE } from '../lib/roster.ts';
import { createWebhook, revokeWebhook, rotateWebhookSecret } from '../lib/webhooks.ts';
import { audit } from '../lib/audit.ts';
import { isStaff } from './rules.ts';
import { mergeChecks } from './views.ts';
import type { Ctx } from './context.ts';
import type { SessionUser } from '../types.ts';

const id = z.string().min(1).max(200);
const page = (max: number) => ({ first: z.number().int().min(1).max(max), offset: z.number().int().min(0).max(1_000_000) });
const checkStatus = z.enum(['PENDING', 'RUNNING', 'PASS', 'FAIL', 'ERROR', 'SKIPPED']);

async function labOr404(ctx: Ctx, labId: string): Promise<LabRow> {
  const lab = await ctx.db.lab.findUnique({ where: { id: labId } });
  if (!lab || (!lab.enabled && !isStaff(ctx.user))) throw new ApiError('NOT_FOUND', `no lab "${labId}"`);
  return lab;
}

async function runOr404(ctx: Ctx, runId: string): Promise<GradingRun> {
  const run = await ctx.db.gradingRun.findUnique({ where: { id: runId }, include: { enrollment: true } });
  if (!run) throw new ApiError('NOT_FOUND', `no run "${runId}"`);
  assertOwnsEnrollment(ctx.user, run.enrollment);
  return run;
}

/** Students may touch only their own enrollments; staff any. */
export function assertOwnsEnrollment(user: SessionUser | null, enrollment: Pick<Enrollment, 'userId'>): void {
  if (isStaff(user)) return;
  if (!user || enrollment.userId !== user.id) throw new ApiError('FORBIDDEN', 'this belongs to another student');
}

async function studentEnrollment(ctx: Ctx, user: SessionUser): Promise<Enrollment> {
  const e = await ctx.db.enrollment.findFirst({ where: { userId: user.id }, orderBy: { createdAt: 'asc' } });
  if (!e) throw new ApiError('NOT_FOUND', 'you are not enrolled in a course yet; ask your instructor to import you');
  return e;
}

function scoreboardRowObj(r: ScoreboardRowData) {
  return {
    enrollment: { id: r.enrollmentId, userId: r.userId, courseId: r.courseId, namespace: r.namespace },
    student: { id: r.userId, email: r.email, name: r.name, role: 'STUDENT', studentId: r.studentId },
    namespace: r.namespace,
    latestRunId: r.latestRunId,
    bestScore: r.bestScore,
    score: r.score,
    maxScore: r.maxScore,
    cells: r.cells,
    lastGradedAt: r.lastGradedAt,
  };
}

type Args = Record<string, unknown>;

/** Yields `first`, then everything `rest` yields; closing it closes `rest`. */
async function* withFirst<T>(first: T, rest: AsyncIterableIterator<unknown>): AsyncGenerator<unknown> {
  try {
    yield first;
    yield* rest;
  } finally {
    await rest.return?.();
  }
}

/** Resolvers of the operation types; plugins/graphql.ts wraps them with the rules. */
export const operations = {
  Query: {
    me: (_: unknown, __: Args, ctx: Ctx) => ctx.user,

    labs: async (_: unknown, __: Args, ctx: Ctx) => {
      const rows = await ctx.db.lab.findMany({ where: isStaff(ctx.user) ? {} : { enabled: true }, orderBy: { id: 'asc' } });
      return rows.map(toLabView);
    },

    lab: async (_: unknown, args: Args, ctx: Ctx) => {
      const { id: labId } = validate(z.object({ id }), args);
      const row = await ctx.db.lab.findUnique({ where: { id: labId } });
      return row && (row.enabled || isStaff(ctx.user)) ? toLabView(row) : null;
    },

    myLabs: async (_: unknown, __: Args, ctx: Ctx) => {
      const user = ctx.user!;
      const [enrollments, labs] = await Promise.all([
        ctx.db.enrollment.findMany({ where: { userId: user.id }, include: { course: true, user: true }, orderBy: { createdAt: 'asc' } }),
        ctx.db.lab.findMany({ where: { enabled: true }, orderBy: { id: 'asc' } }),
      ]);
      if (!enrollments.length) return [];
      const ids = enrollments.map((e) => e.id);
      const [latest, best, cooldown] = await Promise.all([
        ctx.db.$queryRaw<GradingRun[]>`
          SELECT DISTINCT ON ("enrollmentId", "labId") * FROM "GradingRun"
          WHERE "enrollmentId" = ANY(${ids}::text[]) ORDER BY "enrollmentId", "labId", "queuedAt" DESC`,
        ctx.db.gradingRun.groupBy({
          by: ['enrollmentId', 'labId'],
          where: { enrollmentId: { in: ids }, status: { in: ['PASSED', 'FAILED'] } },
          _max: { score: true },
        }),
        runs.cooldownStatus(ctx.db, user.id, ctx.config.cooldown),
      ]);
      return enrollments.flatMap((e) =>
        labs.map((l) => ({
          lab: toLabView(l),
          enrollment: e,
          latestRun: latest.find((r) => r.enrollmentId === e.id && r.labId === l.id) ?? null,
          bestScore: best.find((b) => b.enrollmentId === e.id && b.labId === l.id)?._max.score ?? null,
          cooldown,
        })),
      );
    },

    runs: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ labId: id.nullish(), enrollmentId: id.nullish(), ...page(100) }), args);
      const where: Prisma.GradingRunWhereInput = {};
      if (a.labId) where.labId = a.labId;
      if (a.enrollmentId) {
        const e = await ctx.db.enrollment.findUnique({ where: { id: a.enrollmentId } });
        if (!e) throw new ApiError('NOT_FOUND', `no enrollment "${a.enrollmentId}"`);
        assertOwnsEnrollment(ctx.user, e);
        where.enrollmentId = e.id;
      }
      if (!isStaff(ctx.user)) where.enrollment = { userId: ctx.user!.id };
      const [nodes, total] = await Promise.all([
        ctx.db.gradingRun.findMany({ where, orderBy: { queuedAt: 'desc' }, take: a.first, skip: a.offset }),
        ctx.db.gradingRun.count({ where }),
      ]);
      return { nodes, total };
    },

    run: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ id }), args);
      const run = await ctx.db.gradingRun.findUnique({ where: { id: a.id }, include: { enrollment: true } });
      if (!run) return null;
      assertOwnsEnrollment(ctx.user, run.enrollment);
      return run;
    },

    scoreboard: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(
        z.object({
          labId: id,
          filter: z.object({ search: z.string().max(200).nullish(), status: checkStatus.nullish(), checkId: id.nullish() }).nullish(),
          sort: z.enum(['NAME', 'NAMESPACE', 'SCORE', 'LAST_GRADED']),
          desc: z.boolean(),
          ...page(1000),
        }),
        args,
      );
      const lab = toLabView(await labOr404(ctx, a.labId));
      if (a.filter?.checkId && !lab.checks.some((c) => c.id === a.filter?.checkId)) {
        throw new ApiError('BAD_USER_INPUT', `lab ${lab.id} has no check "${a.filter.checkId}"`);
      }
      const data = await queryScoreboard(ctx.db, lab, { ...a.filter, sort: a.sort, desc: a.desc, first: a.first, offset: a.offset });
      return { lab, total: data.total, rows: data.rows.map(scoreboardRowObj), passRateByCheck: data.passRateByCheck, scoreDistribution: data.scoreDistribution };
    },

    enrollments: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ search: z.string().max(200).nullish(), ...page(1000) }), args);
      const s = a.search ? { contains: a.search, mode: 'insensitive' as const } : undefined;
      return ctx.db.enrollment.findMany({
        where: s ? { OR: [{ namespace: s }, { user: { OR: [{ name: s }, { email: s }, { studentId: s }] } }] } : {},
        include: { user: true, course: true },
        orderBy: { namespace: 'asc' },
        take: a.first,
        skip: a.offset,
      });
    },

    webhooks: (_: unknown, __: Args, ctx: Ctx) => ctx.db.webhook.findMany({ orderBy: { createdAt: 'asc' } }),

    auditLog: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object(page(1000)), args);
      return ctx.db.auditEntry.findMany({ orderBy: { at: 'desc' }, take: a.first, skip: a.offset });
    },
  },

  Mutation: {
    submitRun: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ labId: id }), args);
      const user = ctx.user!;
      const lab = await labOr404(ctx, a.labId);
      const enrollment = await studentEnrollment(ctx, user);
      // Joining a run already in flight is free; a new run takes a cooldown token atomically
      // with its creation (CooldownError, mapped to COOLDOWN by the guard wrapper, otherwise).
      const result = await runs.submitRun(ctx.db, {
        enrollmentId: enrollment.id,
        labId: lab.id,
        trigger: 'STUDENT',
        triggeredById: user.id,
        disruptive: lab.disruptiveEnabled,
        cooldown: { ...ctx.config.cooldown, userId: user.id },
      });
      await audit(ctx.db, { actor: user, action: result.joined ? 'run.join' : 'run.submit', subject: `run:${result.run.id}`, after: { lab: lab.id, namespace: enrollment.namespace } });
      return { ...result, cooldown: await runs.cooldownStatus(ctx.db, user.id, ctx.config.cooldown) };
    },

    regrade: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(
        z.object({ labId: id, enrollmentIds: z.array(id).max(5000).nullish(), all: z.boolean().nullish(), disruptive: z.boolean().nullish() }),
        args,
      );
      if (!a.enrollmentIds?.length && !a.all) throw new ApiError('BAD_USER_INPUT', 'pass enrollmentIds, or all: true to regrade everyone');
      const lab = await labOr404(ctx, a.labId);
      const enrollments = await ctx.db.enrollment.findMany({
        where: a.enrollmentIds?.length ? { id: { in: a.enrollmentIds } } : { user: { role: 'STUDENT' } },
        orderBy: { namespace: 'asc' },
      });
      const missing = (a.enrollmentIds ?? []).filter((eid) => !enrollments.some((e) => e.id === eid));
      if (missing.length) throw new ApiError('NOT_FOUND', `no enrollment ${missing.join(', ')}`);
      const disruptive = (a.disruptive ?? true) && lab.disruptiveEnabled;
      const out: GradingRun[] = [];
      let joined = 0;
      for (const e of enrollments) {
        const r = await runs.submitRun(ctx.db, { enrollmentId: e.id, labId: lab.id, trigger: 'INSTRUCTOR', triggeredById: ctx.user!.id, disruptive });
        if (r.joined) joined += 1;
        out.push(r.run);
      }
      await audit(ctx.db, {
        actor: ctx.user,
        action: 'run.regrade',
        subject: `lab:${lab.id}`,
        after: { enrollments: enrollments.length, all: !a.enrollmentIds?.length, disruptive, runIds: out.map((r) => r.id) },
      });
      return { runs: out, joined };
    },

    cancelRun: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ id }), args);
      const before = await runOr404(ctx, a.id);
      const run = await runs.cancelRun(ctx.db, a.id, { refund: ctx.config.cooldown });
      await audit(ctx.db, { actor: ctx.user, action: 'run.cancel', subject: `run:${run.id}`, before: { status: before.status }, after: { status: run.status } });
      return run;
    },

    importRoster: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ csv: z.string().max(2_000_000), dryRun: z.boolean(), courseSlug: z.string().regex(NAMESPACE_RE).nullish() }), args);
      return importRoster(ctx.db, { ...a, actor: ctx.user!, publicUrl: ctx.config.publicUrl });
    },

    setLabEnabled: (_: unknown, args: Args, ctx: Ctx) => setLabFlag(ctx, args, 'enabled'),
    setLabDisruptive: (_: unknown, args: Args, ctx: Ctx) => setLabFlag(ctx, args, 'disruptiveEnabled'),

    createWebhook: async (_: unknown, args: Args, ctx: Ctx) => {
      const { input } = validate(
        z.object({
          input: z
            .object({
              name: z.string().trim().min(1).max(100),
              scopeKind: z.enum(['ALL', 'LABS', 'NAMESPACES']),
              labs: z.array(id).max(100).nullish(),
              namespaces: z.array(z.string().regex(NAMESPACE_RE, 'not a valid namespace')).max(5000).nullish(),
            })
            .refine((i) => i.scopeKind !== 'LABS' || (i.labs?.length ?? 0) > 0, { message: 'a LABS webhook needs at least one lab', path: ['labs'] })
            .refine((i) => i.scopeKind !== 'NAMESPACES' || (i.namespaces?.length ?? 0) > 0, {
              message: 'a NAMESPACES webhook needs at least one namespace',
              path: ['namespaces'],
            }),
        }),
        args,
      );
      const labs = input.labs ?? [];
      const known = await ctx.db.lab.findMany({ where: { id: { in: labs } }, select: { id: true } });
      const unknown = labs.filter((l) => !known.some((k) => k.id === l));
      if (unknown.length) throw new ApiError('BAD_USER_INPUT', `unknown lab ${unknown.join(', ')}`);
      return createWebhook(ctx.db, ctx.config.webhookKey, { name: input.name, scopeKind: input.scopeKind, labs, namespaces: input.namespaces ?? [] }, ctx.user!);
    },

    rotateWebhookSecret: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ id }), args);
      const hook = await ctx.db.webhook.findUnique({ where: { id: a.id } });
      if (!hook) throw new ApiError('NOT_FOUND', `no webhook "${a.id}"`);
      if (!hook.active) throw new ApiError('CONFLICT', 'this webhook is revoked; create a new one');
      return rotateWebhookSecret(ctx.db, ctx.config.webhookKey, hook, ctx.user!);
    },

    revokeWebhook: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ id }), args);
      const hook = await ctx.db.webhook.findUnique({ where: { id: a.id } });
      if (!hook) throw new ApiError('NOT_FOUND', `no webhook "${a.id}"`);
      if (!hook.active) throw new ApiError('CONFLICT', 'this webhook is already revoked');
      return revokeWebhook(ctx.db, hook, ctx.user!);
    },
  },

  Subscription: {
    runProgress: {
      subscribe: async (_: unknown, args: Args, ctx: Ctx) => {
        const a = validate(z.object({ runId: id }), args);
        const run = await runOr404(ctx, a.runId);
        const live = (await ctx.pubsub.subscribe(runs.runTopic(a.runId))) as unknown as AsyncIterableIterator<unknown>;
        // The run as it is now comes first, once the listener is up: nothing between the page's
        // query and this subscription is lost.
        return withFirst({ runId: run.id, labId: run.labId, enrollmentId: run.enrollmentId, event: 'snapshot' }, live);
      },
      resolve: async (payload: { runId: string; checkId?: string }, _args: Args, ctx: Ctx) => {
        const run = await ctx.db.gradingRun.findUniqueOrThrow({ where: { id: payload.runId } });
        let check = null;
        if (payload.checkId) {
          const [row, lab] = await Promise.all([
            ctx.db.checkResult.findUnique({ where: { runId_checkId: { runId: run.id, checkId: payload.checkId } } }),
            ctx.db.lab.findUnique({ where: { id: run.labId } }),
          ]);
          check = mergeChecks(lab ? toLabView(lab) : undefined, row ? [row] : []).find((c) => c.checkId === payload.checkId) ?? null;
        }
        return { runId: run.id, run, check };
      },
    },
    scoreboardChanged: {
      subscribe: async (_: unknown, args: Args, ctx: Ctx) => {
        const a = validate(z.object({ labId: id }), args);
        await labOr404(ctx, a.labId);
        return ctx.pubsub.subscribe(runs.scoreboardTopic(a.labId));
      },
      resolve: async (payload: { labId: string; enrollmentId?: string }, _args: Args, ctx: Ctx) => {
        const lab = toLabView(await ctx.db.lab.findUniqueOrThrow({ where: { id: payload.labId } }));
        if (!payload.enrollmentId) throw new ApiError('INTERNAL', 'scoreboard event without an enrollment');
        const data = await queryScoreboard(ctx.db, lab, { first: 1 }, payload.enrollmentId);
        const row = data.rows[0];
        if (!row) throw new ApiError('NOT_FOUND', 'that enrollment is no longer on the scoreboard');
        return scoreboardRowObj(row);
      },
    },
  },
};

async function setLabFlag(ctx: Ctx, args: Args, field: 'enabled' | 'disruptiveEnabled') {
  const a = validate(z.object({ labId: id, enabled: z.boolean() }), args);
  const before = await ctx.db.lab.findUnique({ where: { id: a.labId } });
  if (!before) throw new ApiError('NOT_FOUND', `no lab "${a.labId}"`);
  const after = await ctx.db.lab.update({ where: { id: a.labId }, data: { [field]: a.enabled } });
  await audit(ctx.db, { actor: ctx.user, action: field === 'enabled' ? 'lab.enabled' : 'lab.disruptive', subject: `lab:${a.labId}`, before: { [field]: before[field] }, after: { [field]: a.enabled } });
  return toLabView(after);
}
