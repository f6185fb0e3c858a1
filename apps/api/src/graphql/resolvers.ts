// Query, Mutation and Subscription resolvers. Role rules come from rules.ts (applied by the
// plugin); what is checked here is ownership: a student's enrollment comes from the session,
// never from input.
import { z } from 'zod';
import type {
  ApiToken as ApiTokenRow,
  LtiPlatform as LtiPlatformRow,
  GradingRun,
  Lab as LabRow,
  Prisma,
} from '@kubegrade/db';
import { ApiError, validate } from '../lib/errors.ts';
import { toLabView } from '../lib/labs.ts';
import { queryScoreboard, scoreboardRow, type ScoreboardRowData } from '../lib/scoreboard.ts';
import { coalescedEvents } from '../lib/coalesced-events.ts';
import * as runs from '../lib/runs.ts';
import { importRoster, NAMESPACE_RE } from '../lib/roster.ts';
import { createWebhook, retirePreviousSecrets, revokeWebhook, rotateWebhookSecret } from '../lib/webhooks.ts';
import { audit } from '../lib/audit.ts';
import { createApiToken, MAX_TOKEN_DAYS, revokeApiToken, TOKEN_SCOPES } from '../lib/api-tokens.ts';
import {
  checkEndpointUrl,
  createEventEndpoint,
  EVENT_TYPES,
  redeliverEvent,
  revokeEventEndpoint,
  rotateEventEndpointSecret,
} from '../lib/events.ts';
import { completeRegradeBatches, createRegradeBatch, enqueueLtiScorePush } from '@kubegrade/db';
import { bindMembers, nrpsRosterCsv, toolJwks } from '../lib/lti.ts';
import { assertOwnsEnrollment, isStaff } from '../lib/access.ts';
import { mergeChecks } from './views.ts';
import type { Ctx } from './context.ts';
import { ledgerOperations } from './ledger.ts';
import { regradePreviewOperations } from './regrade-preview.ts';
import { insightOperations } from './insight.ts';
import { liveOperations } from './live.ts';

const id = z.string().min(1).max(200);
const page = (max: number) => ({
  first: z.number().int().min(1).max(max),
  offset: z.number().int().min(0).max(1_000_000),
});
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

/** The LMS line items (grade link ids) of one student's lab. */
async function ltiLinksOf(ctx: Ctx, enrollmentId: string, labId: string): Promise<string[]> {
  const e = await ctx.db.enrollment.findUnique({ where: { id: enrollmentId } });
  if (!e) throw new ApiError('NOT_FOUND', `no enrollment "${enrollmentId}"`);
  const links = await ctx.db.ltiGradeLink.findMany({
    where: { labId, identity: { userId: e.userId, platform: { courseId: e.courseId } } },
    select: { id: true },
  });
  return links.map((l) => l.id);
}

/** An LtiPlatform row as the schema shows it, with the URLs to enter in the LMS. */
function ltiPlatformObj(ctx: Ctx, p: LtiPlatformRow & { course: { slug: string } }) {
  const base = ctx.config.apiPublicUrl;
  return {
    ...p,
    courseSlug: p.course.slug,
    toolLoginUrl: `${base}/lti/login`,
    toolLaunchUrl: `${base}/lti/launch`,
    toolJwksUrl: `${base}/lti/jwks`,
  };
}

/** An ApiToken row as the schema shows it. */
function apiTokenObj(t: ApiTokenRow & { user: { email: string } }) {
  const now = new Date();
  return { ...t, ownerEmail: t.user.email, active: !t.revokedAt && (!t.expiresAt || t.expiresAt > now) };
}

function scoreboardRowObj(r: ScoreboardRowData) {
  return {
    enrollment: { id: r.enrollmentId, userId: r.userId, courseId: r.courseId, namespace: r.namespace },
    student: { id: r.userId, email: r.email, name: r.name, role: 'STUDENT', studentId: r.studentId },
    namespace: r.namespace,
    finalScore: r.finalScore,
    countedRunId: r.countedRunId,
    latePercent: r.latePercent,
    adjustment: r.adjustment,
    latestRunId: r.latestRunId,
    bestScore: r.bestScore,
    score: r.score,
    maxScore: r.maxScore,
    cells: r.cells,
    lastGradedAt: r.lastGradedAt,
    live: r.live,
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
    ...ledgerOperations.Query,
    ...regradePreviewOperations.Query,
    ...insightOperations.Query,
    me: (_: unknown, __: Args, ctx: Ctx) => ctx.user,

    labs: async (_: unknown, __: Args, ctx: Ctx) => {
      const rows = await ctx.db.lab.findMany({
        where: isStaff(ctx.user) ? {} : { enabled: true },
        orderBy: { id: 'asc' },
      });
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
        ctx.db.enrollment.findMany({
          where: { userId: user.id },
          include: { course: true, user: true },
          orderBy: { createdAt: 'asc' },
        }),
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
      const a = validate(
        z.object({
          labId: id.nullish(),
          enrollmentId: id.nullish(),
          ids: z.array(id).max(100).nullish(),
          ...page(100),
        }),
        args,
      );
      const where: Prisma.GradingRunWhereInput = {};
      if (a.labId) where.labId = a.labId;
      if (a.ids) where.id = { in: a.ids };
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
          filter: z
            .object({
              search: z.string().max(200).nullish(),
              status: checkStatus.nullish(),
              checkId: id.nullish(),
            })
            .nullish(),
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
      const data = await queryScoreboard(ctx.db, lab, {
        ...a.filter,
        sort: a.sort,
        desc: a.desc,
        first: a.first,
        offset: a.offset,
      });
      return {
        lab,
        total: data.total,
        rows: data.rows.map(scoreboardRowObj),
        passRateByCheck: data.passRateByCheck,
        scoreDistribution: data.scoreDistribution,
      };
    },

    enrollments: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ search: z.string().max(200).nullish(), ...page(1000) }), args);
      const s = a.search ? { contains: a.search, mode: 'insensitive' as const } : undefined;
      return ctx.db.enrollment.findMany({
        where: s
          ? { OR: [{ namespace: s }, { user: { OR: [{ name: s }, { email: s }, { studentId: s }] } }] }
          : {},
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

    apiTokens: async (_: unknown, __: Args, ctx: Ctx) => {
      const rows = await ctx.db.apiToken.findMany({
        where: ctx.user!.role === 'ADMIN' ? {} : { userId: ctx.user!.id },
        include: { user: { select: { email: true } } },
        orderBy: { createdAt: 'desc' },
        take: 1000,
      });
      return rows.map(apiTokenObj);
    },

    eventEndpoints: (_: unknown, __: Args, ctx: Ctx) =>
      ctx.db.eventEndpoint.findMany({ orderBy: { createdAt: 'asc' } }),

    ltiPassbacks: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ enrollmentId: id, labId: id }), args);
      const links = await ltiLinksOf(ctx, a.enrollmentId, a.labId);
      return ctx.db.ltiScorePush.findMany({
        where: { gradeLinkId: { in: links } },
        orderBy: { createdAt: 'desc' },
        take: 100,
      });
    },

    ltiPlatforms: async (_: unknown, __: Args, ctx: Ctx) => {
      const rows = await ctx.db.ltiPlatform.findMany({
        include: { course: { select: { slug: true } } },
        orderBy: { createdAt: 'asc' },
      });
      return rows.map((p) => ltiPlatformObj(ctx, p));
    },
  },

  Mutation: {
    ...ledgerOperations.Mutation,
    ...regradePreviewOperations.Mutation,
    ...liveOperations.Mutation,
    submitRun: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ labId: id }), args);
      const user = ctx.user!;
      // One lookup statement (lab, the student's enrollment, the active run, the bucket) and, for a
      // new run, one statement that takes the cooldown token and writes the job, the run and the
      // audit entry (CooldownError, mapped to COOLDOWN by the guard wrapper, when the bucket is
      // empty). Joining a run already in flight is free.
      try {
        return await runs.submitRun(ctx.db, {
          studentUserId: user.id,
          labId: a.labId,
          onlyEnabledLab: !isStaff(user),
          trigger: 'STUDENT',
          triggeredById: user.id,
          disruptive: true,
          cooldown: { ...ctx.config.cooldown, userId: user.id },
          audit: { actorId: user.id, actor: user.email },
        });
      } catch (err) {
        if (err instanceof runs.NotFoundError && err.what === 'lab')
          throw new ApiError('NOT_FOUND', `no lab "${a.labId}"`);
        if (err instanceof runs.NotFoundError && err.what === 'enrollment') {
          throw new ApiError(
            'NOT_FOUND',
            'you are not enrolled in a course yet; ask your instructor to import you',
          );
        }
        throw err;
      }
    },

    regrade: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(
        z.object({
          labId: id,
          enrollmentIds: z.array(id).max(5000).nullish(),
          namespaces: z.array(z.string().regex(NAMESPACE_RE, 'not a valid namespace')).max(5000).nullish(),
          all: z.boolean().nullish(),
          disruptive: z.boolean().nullish(),
        }),
        args,
      );
      if (!a.enrollmentIds?.length && !a.namespaces?.length && !a.all) {
        throw new ApiError(
          'BAD_USER_INPUT',
          'pass enrollmentIds or namespaces, or all: true to regrade everyone',
        );
      }
      const lab = await labOr404(ctx, a.labId);
      const enrollments = await ctx.db.enrollment.findMany({
        where: a.enrollmentIds?.length
          ? { id: { in: a.enrollmentIds } }
          : a.namespaces?.length
            ? { namespace: { in: a.namespaces }, user: { role: 'STUDENT' } }
            : { user: { role: 'STUDENT' } },
        orderBy: { namespace: 'asc' },
      });
      const missing = a.enrollmentIds?.length
        ? a.enrollmentIds.filter((eid) => !enrollments.some((e) => e.id === eid))
        : (a.namespaces ?? []).filter((ns) => !enrollments.some((e) => e.namespace === ns));
      if (missing.length)
        throw new ApiError(
          'NOT_FOUND',
          `no ${a.enrollmentIds?.length ? 'enrollment' : 'student namespace'} ${missing.join(', ')}`,
        );
      const disruptive = (a.disruptive ?? true) && lab.disruptiveEnabled;
      const out: GradingRun[] = [];
      let joined = 0;
      for (const e of enrollments) {
        const r = await runs.submitRun(ctx.db, {
          enrollmentId: e.id,
          labId: lab.id,
          trigger: 'INSTRUCTOR',
          triggeredById: ctx.user!.id,
          disruptive,
        });
        if (r.joined) joined += 1;
        out.push(r.run);
      }
      // regrade.completed goes out once the last of these runs ends.
      if (out.length)
        await createRegradeBatch(ctx.db, {
          labId: lab.id,
          runIds: out.map((r) => r.id),
          createdById: ctx.user!.id,
        });
      await audit(ctx.db, {
        actor: ctx.user,
        action: 'run.regrade',
        subject: `lab:${lab.id}`,
        after: {
          enrollments: enrollments.length,
          all: !a.enrollmentIds?.length && !a.namespaces?.length,
          disruptive,
          runIds: out.map((r) => r.id),
          ...(ctx.token ? { token: ctx.token.id } : {}),
        },
      });
      return { runs: out, joined };
    },

    cancelRun: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ id }), args);
      const before = await runOr404(ctx, a.id);
      const run = await runs.cancelRun(ctx.db, a.id, { refund: ctx.config.cooldown });
      await audit(ctx.db, {
        actor: ctx.user,
        action: 'run.cancel',
        subject: `run:${run.id}`,
        before: { status: before.status },
        after: { status: run.status },
      });
      // A cancelled run may have been the last open one of a regrade.
      await ctx.db.$transaction((tx) => completeRegradeBatches(tx, run.id));
      return run;
    },

    importRoster: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(
        z.object({
          csv: z.string().max(2_000_000),
          dryRun: z.boolean(),
          courseSlug: z.string().regex(NAMESPACE_RE).nullish(),
        }),
        args,
      );
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
              namespaces: z
                .array(z.string().regex(NAMESPACE_RE, 'not a valid namespace'))
                .max(5000)
                .nullish(),
            })
            .refine((i) => i.scopeKind !== 'LABS' || (i.labs?.length ?? 0) > 0, {
              message: 'a LABS webhook needs at least one lab',
              path: ['labs'],
            })
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
      return createWebhook(
        ctx.db,
        ctx.config.webhookKey,
        { name: input.name, scopeKind: input.scopeKind, labs, namespaces: input.namespaces ?? [] },
        ctx.user!,
      );
    },

    rotateWebhookSecret: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ id }), args);
      const hook = await ctx.db.webhook.findUnique({ where: { id: a.id } });
      if (!hook) throw new ApiError('NOT_FOUND', `no webhook "${a.id}"`);
      if (!hook.active) throw new ApiError('CONFLICT', 'this webhook is revoked; create a new one');
      return rotateWebhookSecret(ctx.db, ctx.config.webhookKey, hook, ctx.user!);
    },

    retirePreviousWebhookSecrets: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ id }), args);
      const hook = await ctx.db.webhook.findUnique({ where: { id: a.id } });
      if (!hook) throw new ApiError('NOT_FOUND', `no webhook "${a.id}"`);
      if (!hook.active) throw new ApiError('CONFLICT', 'this webhook is revoked; create a new one');
      await retirePreviousSecrets(ctx.db, hook, ctx.user!);
      return hook;
    },

    createApiToken: async (_: unknown, args: Args, ctx: Ctx) => {
      const { input } = validate(
        z.object({
          input: z.object({
            name: z.string().trim().min(1).max(100),
            scopes: z
              .array(z.enum(TOKEN_SCOPES))
              .min(1, 'a token needs at least one scope')
              .max(TOKEN_SCOPES.length),
            expiresInDays: z.number().int().min(1).max(MAX_TOKEN_DAYS),
          }),
        }),
        args,
      );
      const { token, secret } = await createApiToken(ctx.db, input, ctx.user!);
      return { apiToken: apiTokenObj({ ...token, user: { email: ctx.user!.email } }), secret };
    },

    revokeApiToken: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ id }), args);
      const token = await ctx.db.apiToken.findUnique({
        where: { id: a.id },
        include: { user: { select: { email: true } } },
      });
      // An instructor sees only their own tokens: another's is as absent as a missing one.
      if (!token || (ctx.user!.role !== 'ADMIN' && token.userId !== ctx.user!.id))
        throw new ApiError('NOT_FOUND', `no API token "${a.id}"`);
      if (token.revokedAt) throw new ApiError('CONFLICT', 'this token is already revoked');
      const updated = await revokeApiToken(ctx.db, token, ctx.user!);
      return apiTokenObj({ ...updated, user: token.user });
    },

    createEventEndpoint: async (_: unknown, args: Args, ctx: Ctx) => {
      const { input } = validate(
        z.object({
          input: z.object({
            courseSlug: z.string().regex(NAMESPACE_RE, 'not a course slug'),
            name: z.string().trim().min(1).max(100),
            url: z.string().max(2000),
            events: z
              .array(z.enum(EVENT_TYPES))
              .min(1, 'an endpoint needs at least one event')
              .max(EVENT_TYPES.length),
          }),
        }),
        args,
      );
      const course = await ctx.db.course.findUnique({ where: { slug: input.courseSlug } });
      if (!course) throw new ApiError('BAD_USER_INPUT', `courseSlug: no course "${input.courseSlug}"`);
      const url = checkEndpointUrl(input.url, ctx.config.production);
      return createEventEndpoint(
        ctx.db,
        ctx.config.webhookKey,
        { courseId: course.id, name: input.name, url, events: input.events },
        ctx.user!,
      );
    },

    rotateEventEndpointSecret: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ id }), args);
      const endpoint = await ctx.db.eventEndpoint.findUnique({ where: { id: a.id } });
      if (!endpoint) throw new ApiError('NOT_FOUND', `no event endpoint "${a.id}"`);
      if (!endpoint.active) throw new ApiError('CONFLICT', 'this endpoint is revoked; create a new one');
      return rotateEventEndpointSecret(ctx.db, ctx.config.webhookKey, endpoint, ctx.user!);
    },

    revokeEventEndpoint: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ id }), args);
      const endpoint = await ctx.db.eventEndpoint.findUnique({ where: { id: a.id } });
      if (!endpoint) throw new ApiError('NOT_FOUND', `no event endpoint "${a.id}"`);
      if (!endpoint.active) throw new ApiError('CONFLICT', 'this endpoint is already revoked');
      return revokeEventEndpoint(ctx.db, endpoint, ctx.user!);
    },

    createLtiPlatform: async (_: unknown, args: Args, ctx: Ctx) => {
      const url = z
        .string()
        .url()
        .max(2000)
        .refine((u) => u.startsWith('https:') || !ctx.config.production, 'production platforms use https');
      const { input } = validate(
        z.object({
          input: z.object({
            courseSlug: z.string().regex(NAMESPACE_RE, 'not a course slug'),
            name: z.string().trim().min(1).max(100),
            issuer: z.string().url().max(500),
            clientId: z.string().trim().min(1).max(500),
            deploymentId: z.string().trim().min(1).max(500),
            authLoginUrl: url,
            authTokenUrl: url,
            jwksUrl: url,
          }),
        }),
        args,
      );
      const { courseSlug, ...fields } = input;
      const course = await ctx.db.course.findUnique({ where: { slug: courseSlug } });
      if (!course) throw new ApiError('BAD_USER_INPUT', `courseSlug: no course "${courseSlug}"`);
      const dup = await ctx.db.ltiPlatform.findUnique({
        where: { issuer_clientId: { issuer: fields.issuer, clientId: fields.clientId } },
      });
      if (dup) throw new ApiError('CONFLICT', 'this issuer and client id are already registered');
      const p = await ctx.db.ltiPlatform.create({
        data: { ...fields, courseId: course.id },
        include: { course: { select: { slug: true } } },
      });
      // The tool key exists before the platform first asks for it (the worker signs with it).
      await toolJwks(ctx.db, ctx.config.webhookKey);
      await audit(ctx.db, {
        actor: ctx.user,
        action: 'lti-platform.create',
        subject: `lti-platform:${p.id}`,
        after: { ...fields, courseSlug },
      });
      return ltiPlatformObj(ctx, p);
    },

    syncLtiRoster: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ platformId: id, dryRun: z.boolean() }), args);
      const platform = await ctx.db.ltiPlatform.findUnique({
        where: { id: a.platformId },
        include: { course: { select: { slug: true } } },
      });
      if (!platform) throw new ApiError('NOT_FOUND', `no LTI platform "${a.platformId}"`);
      const { csv, members } = await nrpsRosterCsv(ctx.db, ctx.config.webhookKey, platform);
      const result = await importRoster(ctx.db, {
        csv,
        dryRun: a.dryRun,
        courseSlug: platform.course.slug,
        actor: ctx.user!,
        publicUrl: ctx.config.publicUrl,
      });
      if (!a.dryRun) await bindMembers(ctx.db, platform, members);
      await audit(ctx.db, {
        actor: ctx.user,
        action: a.dryRun ? 'lti.roster.preview' : 'lti.roster.sync',
        subject: `lti-platform:${platform.id}`,
        after: { members: members.length, created: result.created, updated: result.updated },
      });
      return result;
    },

    pushLtiScore: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ enrollmentId: id, labId: id }), args);
      const links = await ltiLinksOf(ctx, a.enrollmentId, a.labId);
      if (!links.length)
        throw new ApiError(
          'NOT_FOUND',
          'this student has not opened this lab from the LMS yet, so there is no line item to send to',
        );
      const ids: string[] = [];
      for (const l of links) ids.push(await ctx.db.$transaction((tx) => enqueueLtiScorePush(tx, l, null)));
      await audit(ctx.db, {
        actor: ctx.user,
        action: 'lti.score.push',
        subject: `enrollment:${a.enrollmentId}`,
        after: { lab: a.labId, pushes: ids },
      });
      return ctx.db.ltiScorePush.findMany({ where: { id: { in: ids } } });
    },

    redeliverEvent: async (_: unknown, args: Args, ctx: Ctx) => {
      const a = validate(z.object({ id }), args);
      await redeliverEvent(ctx.db, a.id, ctx.user!);
      return ctx.db.eventDelivery.findUniqueOrThrow({ where: { id: a.id } });
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
    ...liveOperations.Subscription,
    runProgress: {
      subscribe: async (_: unknown, args: Args, ctx: Ctx) => {
        const a = validate(z.object({ runId: id }), args);
        const run = await runOr404(ctx, a.runId);
        const live = (await ctx.pubsub.subscribe(
          runs.runTopic(a.runId),
        )) as unknown as AsyncIterableIterator<unknown>;
        // The run as it is now comes first, once the listener is up: nothing between the page's
        // query and this subscription is lost.
        return withFirst(
          { runId: run.id, labId: run.labId, enrollmentId: run.enrollmentId, event: 'snapshot' },
          live,
        );
      },
      resolve: async (payload: { runId: string; checkId?: string }, _args: Args, ctx: Ctx) => {
        const run = await ctx.db.gradingRun.findUniqueOrThrow({ where: { id: payload.runId } });
        let check = null;
        if (payload.checkId) {
          const [row, lab] = await Promise.all([
            ctx.db.checkResult.findUnique({
              where: { runId_checkId: { runId: run.id, checkId: payload.checkId } },
            }),
            ctx.db.lab.findUnique({ where: { id: run.labId } }),
          ]);
          check =
            mergeChecks(lab ? toLabView(lab) : undefined, row ? [row] : []).find(
              (c) => c.checkId === payload.checkId,
            ) ?? null;
        }
        return { runId: run.id, run, check };
      },
    },
    scoreboardChanged: {
      subscribe: async (_: unknown, args: Args, ctx: Ctx) => {
        const a = validate(z.object({ labId: id }), args);
        await labOr404(ctx, a.labId);
        // A row is re-read per event, so events of an enrollment that wait behind others are merged.
        return coalescedEvents<{ enrollmentId?: string }>(
          ctx.app.pubsub,
          runs.scoreboardTopic(a.labId),
          (event) => event.enrollmentId,
        );
      },
      // One statement per event: the lab, that enrollment's read-model row and its latest run.
      resolve: async (payload: { labId: string; enrollmentId?: string }, _args: Args, ctx: Ctx) => {
        if (!payload.enrollmentId) throw new ApiError('INTERNAL', 'scoreboard event without an enrollment');
        const found = await scoreboardRow(ctx.db, payload.labId, payload.enrollmentId);
        if (!found) throw new ApiError('NOT_FOUND', 'that enrollment is no longer on the scoreboard');
        // The latest run comes with the row, so the latestRun loader has nothing to fetch.
        return { ...scoreboardRowObj(found.row), latestRun: found.latestRun };
      },
    },
  },
};

async function setLabFlag(ctx: Ctx, args: Args, field: 'enabled' | 'disruptiveEnabled') {
  const a = validate(z.object({ labId: id, enabled: z.boolean() }), args);
  const before = await ctx.db.lab.findUnique({ where: { id: a.labId } });
  if (!before) throw new ApiError('NOT_FOUND', `no lab "${a.labId}"`);
  const after = await ctx.db.lab.update({ where: { id: a.labId }, data: { [field]: a.enabled } });
  await audit(ctx.db, {
    actor: ctx.user,
    action: field === 'enabled' ? 'lab.enabled' : 'lab.disruptive',
    subject: `lab:${a.labId}`,
    before: { [field]: before[field] },
    after: { [field]: a.enabled },
  });
  return toLabView(after);
}
