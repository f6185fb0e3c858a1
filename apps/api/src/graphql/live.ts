// The live lab over GraphQL: a student's own live view of a lab (the subscription liveLab; the
// namespace comes from the student's enrollment, never from input) and the instructor's switch
// (setLabLive). Merged into `operations` in resolvers.ts; rules in rules.ts. The verdicts are the
// worker's (LiveState rows); this only reads them, and never scores.
import { z } from 'zod';
import {
  LIVE_CONFIG_TOPIC,
  LIVE_TOPIC,
  liveTopic,
  notify,
  type Enrollment,
  type LiveState as LiveStateRow,
} from '@kubegrade/db';
import { ApiError, validate } from '../lib/errors.ts';
import { toLabView } from '../lib/labs.ts';
import { audit } from '../lib/audit.ts';
import type { Ctx } from './context.ts';

type Args = Record<string, unknown>;

const id = z.string().min(1).max(200);

/** A row not confirmed by the worker's heartbeat for this long is shown as paused. */
export const LIVE_STALE_AFTER_MS = 60_000;

/** What the page shows: OFF (the instructor has not turned it on), STARTING, LIVE, PAUSED. */
export type LiveStatus = 'OFF' | 'STARTING' | 'LIVE' | 'PAUSED';

type LiveCheckJson = {
  id: string;
  title: { zh: string; en: string };
  status: string;
  message: string;
  messageText?: { zh: string; en: string };
  hint: unknown;
  evidence: unknown;
};

/** The LiveLabState object of the schema. */
export function liveLabObj(labId: string, liveEnabled: boolean, row: LiveStateRow | null, now = Date.now()) {
  let status: LiveStatus = 'LIVE';
  let pausedReason: string | null = null;
  if (!liveEnabled) status = 'OFF';
  else if (!row) status = 'STARTING';
  else if (!row.live) {
    status = 'PAUSED';
    pausedReason = row.pausedReason ?? 'the live engine lost its connection to the cluster';
  } else if (now - row.confirmedAt.getTime() > LIVE_STALE_AFTER_MS) {
    status = 'PAUSED';
    pausedReason = 'no live engine has reported for a minute';
  }
  const show = status === 'LIVE' || status === 'PAUSED';
  const checks = show && row ? (row.checks as unknown as LiveCheckJson[]) : [];
  return {
    labId,
    status,
    pausedReason,
    evaluatedAt: row?.evaluatedAt ?? null,
    confirmedAt: row?.confirmedAt ?? null,
    // A paused view keeps its checks for context, but never as a verdict: the page greys them.
    checks: checks.map((c) => ({
      checkId: c.id,
      title: c.title,
      status: c.status.toUpperCase().replace('-', '_'),
      message: c.message,
      messageText: c.messageText ?? { zh: c.message, en: c.message },
      hint: c.hint,
      evidence: c.evidence,
    })),
    events: show && row ? row.events : [],
  };
}

async function ownEnrollment(ctx: Ctx): Promise<Enrollment> {
  const e = await ctx.db.enrollment.findFirst({
    where: { userId: ctx.user!.id },
    orderBy: { createdAt: 'asc' },
  });
  if (!e)
    throw new ApiError(
      'NOT_FOUND',
      'you are not enrolled in a course yet; ask your instructor to import you',
    );
  return e;
}

/** Yields `first`, then everything `rest` yields, each tagged with the subscriber's enrollment; closing it closes `rest`. */
async function* withFirst(
  first: object,
  rest: AsyncIterableIterator<unknown>,
  own: string,
): AsyncGenerator<unknown> {
  try {
    yield { ...first, own };
    for await (const event of rest) yield { ...(event as object), own };
  } finally {
    await rest.return?.();
  }
}

/** Resolvers of the live lab's operations. */
export const liveOperations = {
  Mutation: {
    setLabLive: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ labId: id, enabled: z.boolean() }), args);
      const before = await ctx.db.lab.findUnique({ where: { id: a.labId } });
      if (!before) throw new ApiError('NOT_FOUND', `no lab "${a.labId}"`);
      const after = await ctx.db.lab.update({ where: { id: a.labId }, data: { liveEnabled: a.enabled } });
      await audit(ctx.db, {
        actor: ctx.user,
        action: 'lab.live',
        subject: `lab:${a.labId}`,
        before: { liveEnabled: before.liveEnabled },
        after: { liveEnabled: a.enabled },
      });
      // The worker re-reads its labs at once; open pages re-resolve their state.
      await notify(ctx.db, LIVE_CONFIG_TOPIC, { labId: a.labId });
      return toLabView(after);
    },
  },
  Subscription: {
    liveLab: {
      subscribe: async (_: unknown, args: Args, ctx: Ctx) => {
        const a = validate(z.object({ labId: id }), args);
        const lab = await ctx.db.lab.findUnique({ where: { id: a.labId } });
        if (!lab || !lab.enabled) throw new ApiError('NOT_FOUND', `no lab "${a.labId}"`);
        const enrollment = await ownEnrollment(ctx);
        const topics = [liveTopic(enrollment.id, lab.id), LIVE_TOPIC, LIVE_CONFIG_TOPIC];
        const live = (await ctx.pubsub.subscribe(topics)) as unknown as AsyncIterableIterator<unknown>;
        // The state as it is now comes first, once the listeners are up.
        return withFirst(
          { enrollmentId: enrollment.id, labId: lab.id, event: 'snapshot' },
          live,
          enrollment.id,
        );
      },
      resolve: async (
        payload: { labId?: string; enrollmentId?: string; own: string },
        args: Args,
        ctx: Ctx,
      ) => {
        const labId = String(args.labId);
        // Engine-wide events (paused, heartbeat, a lab switched) carry no enrollment: the
        // subscriber's own, chosen by the server when it subscribed.
        if (payload.enrollmentId && payload.enrollmentId !== payload.own)
          throw new ApiError('FORBIDDEN', 'this belongs to another student');
        const lab = await ctx.db.lab.findUnique({
          where: { id: labId },
          include: { liveStates: { where: { enrollmentId: payload.own } } },
        });
        return liveLabObj(labId, Boolean(lab?.enabled && lab.liveEnabled), lab?.liveStates[0] ?? null);
      },
    },
  },
};
