// Field resolvers and mercurius loaders: lists of runs, enrollments and webhooks resolve their
// related rows in one batched query per field instead of one per item (no N+1).
import type { Course, Enrollment, GradingRun, User, Webhook } from '@kubegrade/db';
import type { MercuriusLoaders } from 'mercurius';
import { toLabView } from '../lib/labs.ts';
import * as runs from '../lib/runs.ts';
import { activeSecretWhere, BODY_CLAIM_OUTCOME } from '../lib/webhooks.ts';
import { mergeChecks } from './views.ts';
import type { Ctx } from './context.ts';

type Q<T, P = Record<string, unknown>> = { obj: T; params: P }[];
type EnrollmentObj = Pick<Enrollment, 'id' | 'userId' | 'courseId' | 'namespace'> & {
  user?: User;
  course?: Course;
};

async function labsById(ctx: Ctx, ids: string[]) {
  const rows = await ctx.db.lab.findMany({ where: { id: { in: [...new Set(ids)] } } });
  return new Map(rows.map((r) => [r.id, toLabView(r)]));
}

/** Batched field loaders. */
export const loaders: MercuriusLoaders<Ctx> = {
  GradingRun: {
    lab: async (queries: Q<GradingRun>, ctx: Ctx) => {
      const labs = await labsById(
        ctx,
        queries.map((q) => q.obj.labId),
      );
      return queries.map((q) => labs.get(q.obj.labId) ?? null);
    },
    student: async (queries: Q<GradingRun>, ctx: Ctx) => {
      const es = await ctx.db.enrollment.findMany({
        where: { id: { in: queries.map((q) => q.obj.enrollmentId) } },
        include: { user: true },
      });
      const byId = new Map(es.map((e) => [e.id, e.user]));
      return queries.map((q) => byId.get(q.obj.enrollmentId) ?? null);
    },
    checks: async (queries: Q<GradingRun>, ctx: Ctx) => {
      const ids = queries.map((q) => q.obj.id);
      const [rows, labs] = await Promise.all([
        ctx.db.checkResult.findMany({ where: { runId: { in: ids } }, orderBy: { position: 'asc' } }),
        labsById(
          ctx,
          queries.map((q) => q.obj.labId),
        ),
      ]);
      return queries.map((q) =>
        mergeChecks(
          labs.get(q.obj.labId),
          rows.filter((r) => r.runId === q.obj.id),
        ),
      );
    },
  },
  Enrollment: {
    user: async (queries: Q<EnrollmentObj>, ctx: Ctx) => {
      const need = queries.filter((q) => !q.obj.user).map((q) => q.obj.userId);
      const users = need.length ? await ctx.db.user.findMany({ where: { id: { in: need } } }) : [];
      const byId = new Map(users.map((u) => [u.id, u]));
      return queries.map((q) => q.obj.user ?? byId.get(q.obj.userId) ?? null);
    },
    course: async (queries: Q<EnrollmentObj>, ctx: Ctx) => {
      const need = queries.filter((q) => !q.obj.course).map((q) => q.obj.courseId);
      const courses = need.length ? await ctx.db.course.findMany({ where: { id: { in: need } } }) : [];
      const byId = new Map(courses.map((c) => [c.id, c]));
      return queries.map((q) => q.obj.course ?? byId.get(q.obj.courseId) ?? null);
    },
  },
  ScoreboardRow: {
    // A row that already carries its latest run (a live scoreboard event) costs no query.
    latestRun: async (
      queries: Q<{ latestRunId: string | null; latestRun?: GradingRun | null }>,
      ctx: Ctx,
    ) => {
      const ids = queries.flatMap((q) =>
        q.obj.latestRunId && q.obj.latestRun === undefined ? [q.obj.latestRunId] : [],
      );
      const rows = ids.length ? await ctx.db.gradingRun.findMany({ where: { id: { in: ids } } }) : [];
      const byId = new Map(rows.map((r) => [r.id, r]));
      return queries.map((q) =>
        q.obj.latestRun !== undefined
          ? q.obj.latestRun
          : q.obj.latestRunId
            ? (byId.get(q.obj.latestRunId) ?? null)
            : null,
      );
    },
  },
  Webhook: {
    activeSecrets: async (queries: Q<Webhook>, ctx: Ctx) => {
      const counts = await ctx.db.webhookSecret.groupBy({
        by: ['webhookId'],
        where: { webhookId: { in: queries.map((q) => q.obj.id) }, ...activeSecretWhere() },
        _count: { _all: true },
      });
      return queries.map((q) => counts.find((c) => c.webhookId === q.obj.id)?._count._all ?? 0);
    },
    deliveries: async (queries: Q<Webhook, { first?: number }>, ctx: Ctx) => {
      const first = Math.min(200, Math.max(1, queries[0]?.params.first ?? 50));
      // One query per hook keeps each hook's page bounded; only admins list webhooks, and they are few.
      return Promise.all(
        queries.map((q) =>
          ctx.db.webhookDelivery.findMany({
            where: { webhookId: q.obj.id, outcome: { not: BODY_CLAIM_OUTCOME } },
            orderBy: { receivedAt: 'desc' },
            take: first,
          }),
        ),
      );
    },
  },
};

// queuePosition and estimatedWaitSeconds come from one queueInfo call per run and request.
const queueMemo = new WeakMap<object, Map<string, ReturnType<typeof runs.queueInfo>>>();
function queueInfoOnce(ctx: Ctx, runId: string): ReturnType<typeof runs.queueInfo> {
  let memo = queueMemo.get(ctx);
  if (!memo) queueMemo.set(ctx, (memo = new Map()));
  let info = memo.get(runId);
  if (!info)
    memo.set(runId, (info = runs.queueInfo(ctx.db, runId, { concurrency: ctx.config.workerConcurrency })));
  return info;
}

/** Plain field resolvers (no batching needed). */
export const fieldResolvers = {
  GradingRun: {
    queuePosition: async (run: GradingRun, _: unknown, ctx: Ctx) =>
      run.status === 'QUEUED' ? (await queueInfoOnce(ctx, run.id)).position : null,
    estimatedWaitSeconds: async (run: GradingRun, _: unknown, ctx: Ctx) =>
      run.status === 'QUEUED' ? (await queueInfoOnce(ctx, run.id)).estimatedWaitSeconds : null,
  },
  Webhook: {
    url: (hook: Webhook, _: unknown, ctx: Ctx) => `${ctx.config.apiPublicUrl}/webhooks/regrade/${hook.id}`,
  },
};
