// Class insight per lab (resolvers merged into `operations` in resolvers.ts; rule in rules.ts). The
// numbers are @kubegrade/db's classInsight; this adds the lab's check titles.
import { z } from 'zod';
import { classInsight } from '@kubegrade/db';
import { ApiError, validate } from '../lib/errors.ts';
import { toLabView } from '../lib/labs.ts';
import type { Ctx } from './context.ts';

type Args = Record<string, unknown>;

/** The insight of a lab in the GraphQL shape. */
export async function insightObj(ctx: Ctx, labId: string, stuckRuns: number) {
  const row = await ctx.db.lab.findUnique({ where: { id: labId } });
  if (!row) throw new ApiError('NOT_FOUND', `no lab "${labId}"`);
  const lab = toLabView(row);
  const title = (checkId: string) =>
    lab.checks.find((c) => c.id === checkId)?.title ?? { zh: checkId, en: checkId };
  const x = await classInsight(ctx.db, lab.id, { stuckRuns });
  return {
    ...x,
    lab,
    stuckRuns,
    failures: x.failures.map((f) => ({ ...f, title: title(f.checkId), count: f.students.length })),
    timeToPass: x.timeToPass.map((t) => ({ ...t, title: title(t.checkId) })),
    stuck: x.stuck.map((s) => ({ ...s, title: title(s.checkId) })),
  };
}

/** Query resolvers of the class insight. */
export const insightOperations = {
  Query: {
    classInsight: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(
        z.object({ labId: z.string().min(1).max(200), stuckRuns: z.number().int().min(2).max(20) }),
        args,
      );
      return insightObj(ctx, a.labId, a.stuckRuns);
    },
  },
};
