// Regrade with a preview, and editing a check's points: the resolvers of those operations (merged
// into `operations` in resolvers.ts; rules in rules.ts). The dry runs and the apply are
// @kubegrade/db's (scores/regrade-preview.ts); the worker grades the dry runs.
import { z } from 'zod';
import {
  applyRegradePreview,
  createRegradePreview,
  PreviewAppliedError,
  readRegradePreview,
  type Prisma,
  type RegradePreviewView,
} from '@kubegrade/db';
import { ApiError, validate } from '../lib/errors.ts';
import { toLabView } from '../lib/labs.ts';
import { audit } from '../lib/audit.ts';
import type { Ctx } from './context.ts';

type Args = Record<string, unknown>;
const id = z.string().min(1).max(200);

/** The preview in the GraphQL shape (items get their enrollments, the lab its view). */
async function previewObj(ctx: Ctx, p: RegradePreviewView) {
  const [lab, enrollments] = await Promise.all([
    ctx.db.lab.findUnique({ where: { id: p.labId } }),
    ctx.db.enrollment.findMany({
      where: { id: { in: p.items.map((i) => i.enrollmentId) } },
      include: { user: true, course: true },
    }),
  ]);
  const byId = new Map(enrollments.map((e) => [e.id, e]));
  return {
    ...p,
    lab: lab ? toLabView(lab) : null,
    items: p.items
      .filter((i) => byId.has(i.enrollmentId))
      .map((i) => ({ ...i, enrollment: byId.get(i.enrollmentId) })),
    totals: {
      up: p.totals.UP,
      down: p.totals.DOWN,
      unchanged: p.totals.UNCHANGED,
      error: p.totals.ERROR,
      pending: p.totals.PENDING,
      oldTotal: p.totals.oldTotal,
      newTotal: p.totals.newTotal,
    },
  };
}

/** Query and Mutation resolvers of regrade previews and check points. */
export const regradePreviewOperations = {
  Query: {
    regradePreview: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ id }), args);
      const p = await readRegradePreview(ctx.db, a.id).catch((err: Error) => {
        throw err.name === 'NotFoundError' ? new ApiError('NOT_FOUND', `no regrade preview "${a.id}"`) : err;
      });
      return previewObj(ctx, p);
    },
  },

  Mutation: {
    previewRegrade: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(
        z.object({
          labId: id,
          enrollmentIds: z.array(id).max(5000).nullish(),
          all: z.boolean().nullish(),
          disruptive: z.boolean().nullish(),
          confirmDisruptive: z.boolean().nullish(),
        }),
        args,
      );
      if (!a.enrollmentIds?.length && !a.all)
        throw new ApiError('BAD_USER_INPUT', 'pass enrollmentIds, or all: true to preview everyone');
      const lab = await ctx.db.lab.findUnique({ where: { id: a.labId } });
      if (!lab) throw new ApiError('NOT_FOUND', `no lab "${a.labId}"`);
      const view = toLabView(lab);
      const disruptive =
        (a.disruptive ?? false) && lab.disruptiveEnabled && view.checks.some((c) => c.disruptive);
      if (disruptive && !a.confirmDisruptive) {
        throw new ApiError(
          'BAD_USER_INPUT',
          "a dry run of the disruptive check deletes every selected student's Redis pod: pass confirmDisruptive: true to run it, or disruptive: false to leave it out",
        );
      }
      const enrollments = await ctx.db.enrollment.findMany({
        where: a.enrollmentIds?.length ? { id: { in: a.enrollmentIds } } : { user: { role: 'STUDENT' } },
        select: { id: true },
        orderBy: { namespace: 'asc' },
      });
      const missing = (a.enrollmentIds ?? []).filter((eid) => !enrollments.some((e) => e.id === eid));
      if (missing.length) throw new ApiError('NOT_FOUND', `no enrollment ${missing.join(', ')}`);
      const previewId = await createRegradePreview(ctx.db, ctx.app.queue, {
        labId: lab.id,
        enrollmentIds: enrollments.map((e) => e.id),
        disruptive,
        actor: { id: ctx.user!.id, email: ctx.user!.email },
      });
      await audit(ctx.db, {
        actor: ctx.user,
        action: 'regrade.preview',
        subject: `lab:${lab.id}`,
        after: { previewId, students: enrollments.length, disruptive, labVersion: lab.version },
      });
      return previewObj(ctx, await readRegradePreview(ctx.db, previewId));
    },

    applyRegradePreview: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(
        z.object({
          id,
          neverLower: z.boolean().nullish(),
          reason: z.string().trim().min(1, 'say why (it goes into the audit log)').max(500),
        }),
        args,
      );
      const preview = await ctx.db.regradePreview.findUnique({ where: { id: a.id } });
      if (!preview) throw new ApiError('NOT_FOUND', `no regrade preview "${a.id}"`);
      try {
        const r = await applyRegradePreview(ctx.db, a.id, {
          neverLower: a.neverLower ?? false,
          reason: a.reason,
          actor: { id: ctx.user!.id, email: ctx.user!.email },
          audit: (tx: Prisma.TransactionClient, summary) =>
            audit(tx, {
              actor: ctx.user,
              action: 'regrade.apply',
              subject: `lab:${preview.labId}`,
              reason: a.reason,
              after: {
                previewId: a.id,
                neverLower: a.neverLower ?? false,
                labVersion: preview.labVersion,
                ...summary,
              },
            }),
        });
        return {
          preview: await previewObj(ctx, await readRegradePreview(ctx.db, a.id)),
          applied: r.applied,
          skippedLower: r.skippedLower,
        };
      } catch (err) {
        if (err instanceof PreviewAppliedError) throw new ApiError('CONFLICT', err.message);
        throw err;
      }
    },

    setCheckPoints: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(
        z.object({ labId: id, checkId: id, points: z.number().int().min(0).max(1000) }),
        args,
      );
      const lab = await ctx.db.lab.findUnique({ where: { id: a.labId } });
      if (!lab) throw new ApiError('NOT_FOUND', `no lab "${a.labId}"`);
      const check = toLabView(lab).checks.find((c) => c.id === a.checkId);
      if (!check) throw new ApiError('BAD_USER_INPUT', `lab ${lab.id} has no check "${a.checkId}"`);
      const before = check.points;
      // A new version says which definition graded a result; the edit lasts until the lab file gets a new version (syncLabs).
      const m = /^(.*)\+edit(\d+)$/.exec(lab.version);
      const version = m ? `${m[1]}+edit${Number(m[2]) + 1}` : `${lab.version}+edit1`;
      // The stored definition is rewritten as it is, every field kept but the one check's points.
      const def = lab.definition as { checks: { id: string }[] } & Record<string, unknown>;
      const definition = {
        ...def,
        version,
        checks: def.checks.map((c) => (c.id === a.checkId ? { ...c, points: a.points } : c)),
      };
      const after = await ctx.db.lab.update({
        where: { id: lab.id },
        data: { version, definition: definition as unknown as Prisma.InputJsonObject },
      });
      await audit(ctx.db, {
        actor: ctx.user,
        action: 'lab.points',
        subject: `lab:${lab.id}`,
        before: { checkId: a.checkId, points: before, version: lab.version },
        after: { checkId: a.checkId, points: a.points, version },
      });
      return toLabView(after);
    },
  },
};
