// GET /export/scoreboard/:labId.csv: the scoreboard query (same filters) as CSV, for staff.
import fp from 'fastify-plugin';
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import { classInsight } from '@kubegrade/db';
import { toLabView } from '../lib/labs.ts';
import { queryScoreboard, type ScoreboardData } from '../lib/scoreboard.ts';
import type { LabView } from '../lib/labs.ts';
import { ApiError } from '../lib/errors.ts';
import { isStaff } from '../lib/access.ts';
import { auditTokenRefusal, guardToken, type TokenScope } from '../lib/api-tokens.ts';
import { audit } from '../lib/audit.ts';
import { toCsv } from '../lib/csv.ts';
import { insightCsv } from '../lib/insight-csv.ts';
import { canvasCsv, gradebookRows, moodleCsv, type GradebookFormat } from '../lib/gradebook.ts';
import { messageText } from '../lib/messages.ts';
import { fieldMessages, zodRoutes, type SchemaErrorFormatter } from '../lib/routes.ts';

/** The `:file` of an export, `<name>.csv`, as `name` (a name `pattern` refuses is a 404). */
const csvFile = (pattern: RegExp) =>
  z.object({
    file: z
      .string()
      .regex(/^(.+)\.csv$/)
      .transform((f) => f.slice(0, -'.csv'.length))
      .pipe(z.string().regex(pattern)),
  });

/** A file name the route does not serve is 404 with `hint` (checked before the query's 400). */
const unknownFile =
  (hint: string): SchemaErrorFormatter =>
  (errors, dataVar) =>
    dataVar === 'params' ? new ApiError('NOT_FOUND', hint) : fieldMessages(errors, dataVar);
const insightQuery = z.object({ stuckRuns: z.coerce.number().int().min(2).max(20).default(3) });

const queryString = z.object({
  search: z.string().max(200).optional(),
  status: z.enum(['PENDING', 'RUNNING', 'PASS', 'FAIL', 'ERROR', 'SKIPPED']).optional(),
  checkId: z.string().max(200).optional(),
  /** Adds each check's message in this language (`<check>_message` columns); without it the columns are left out. */
  lang: z.enum(['zh', 'en']).optional(),
});

const gradebookQuery = z.object({
  course: z.string().max(100).optional(),
  labs: z.string().max(2000).optional(),
});

/** A check's message in one language, by run id and check id. */
export type MessageLookup = (runId: string, checkId: string) => string;

/** The scoreboard as CSV text: one row per enrollment, one column per check (cells neutralised against formula injection). */
export function scoreboardCsv(lab: LabView, data: ScoreboardData, messages?: MessageLookup): string {
  const header = [
    'email',
    'name',
    'student_id',
    'namespace',
    ...lab.checks.map((c) => c.id),
    ...(messages ? lab.checks.map((c) => `${c.id}_message`) : []),
    'score',
    'max_score',
    'best_score',
    'status',
    'last_graded_at',
    'final_score',
    'counted_run_id',
    'late_deduction_percent',
    'adjustment',
  ];
  const rows = data.rows.map((r) => [
    r.email,
    r.name,
    r.studentId ?? '',
    r.namespace,
    ...lab.checks.map((c) => r.cells.find((x) => x.checkId === c.id)?.status ?? 'PENDING'),
    ...(messages ? lab.checks.map((c) => (r.latestRunId ? messages(r.latestRunId, c.id) : '')) : []),
    r.score ?? '',
    r.maxScore,
    r.bestScore ?? '',
    r.latestStatus ?? 'NOT_GRADED',
    r.lastGradedAt ? r.lastGradedAt.toISOString() : '',
    r.finalScore ?? '',
    r.countedRunId ?? '',
    r.latePercent,
    r.adjustment,
  ]);
  return toCsv([header, ...rows]);
}

/** The REST routes an API token may call and the scope each needs (GraphQL's are in graphql/rules.ts). */
export const tokenRestRules = {
  'GET /export/scoreboard': 'scoreboard:read',
  'GET /export/gradebook': 'scoreboard:read',
  'GET /export/insight': 'scoreboard:read',
} as const satisfies Record<string, TokenScope>;

/** Export routes name their entry of tokenRestRules in their config. */
declare module 'fastify' {
  interface FastifyContextConfig {
    tokenRoute?: keyof typeof tokenRestRules;
  }
}

/**
 * Throws 401/403 (and audits a token's refusal) unless the caller is staff and, with an API token,
 * holds the route's scope. Runs before the query's schema, so a refused caller learns nothing more.
 */
export async function refuseExport(request: FastifyRequest): Promise<void> {
  const route = request.routeOptions.config.tokenRoute;
  if (!route) return;
  if (!request.user) throw new ApiError('UNAUTHENTICATED', 'sign in first');
  if (!isStaff(request.user)) throw new ApiError('FORBIDDEN', 'the CSV export is for instructors and admins');
  if (request.apiToken) {
    try {
      guardToken(request.apiToken, [tokenRestRules[route]], route);
    } catch (err) {
      await auditTokenRefusal(
        request.server.db,
        request.user,
        request.apiToken,
        route,
        (err as Error).message,
      );
      throw err;
    }
  }
}

/** Registers the CSV export routes. */
export default fp(
  async (app) => {
    await zodRoutes(app, (r) => {
      r.addHook('onRequest', refuseExport);

      const scoreboardRoute = {
        schema: { params: csvFile(/.+/), querystring: queryString },
        schemaErrorFormatter: unknownFile('ask for /export/scoreboard/<labId>.csv'),
        config: { tokenRoute: 'GET /export/scoreboard' as const },
      };
      r.get('/export/scoreboard/:file', scoreboardRoute, async (request, reply) => {
        const labId = request.params.file;
        const row = await app.db.lab.findUnique({ where: { id: labId } });
        if (!row) throw new ApiError('NOT_FOUND', `no lab "${labId}"`);
        const lab = toLabView(row);
        const { lang, ...filters } = request.query;
        const data = await queryScoreboard(app.db, lab, { ...filters, sort: 'NAME', first: null });
        let messages: MessageLookup | undefined;
        if (lang) {
          const runIds = data.rows.map((r) => r.latestRunId).filter((id): id is string => id !== null);
          const results = await app.db.checkResult.findMany({
            where: { runId: { in: runIds } },
            select: { runId: true, checkId: true, message: true, messageKey: true, messageParams: true },
          });
          const text = new Map(
            results.map((c) => [`${c.runId}\u0000${c.checkId}`, messageText(c)?.[lang] ?? '']),
          );
          messages = (runId, checkId) => text.get(`${runId}\u0000${checkId}`) ?? '';
        }
        await audit(app.db, {
          actor: request.user,
          action: 'scoreboard.export',
          subject: `lab:${lab.id}`,
          after: { rows: data.rows.length, ...request.query },
        });
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="scoreboard-${lab.id}.csv"`)
          .send(scoreboardCsv(lab, data, messages));
      });

      // GET /export/gradebook/canvas.csv | moodle.csv?course=<slug>&labs=<id,id>: the counted scores
      // in the LMS's import format (every lab, or the listed ones, in id order).
      const gradebookRoute = {
        schema: { params: csvFile(/^(canvas|moodle)$/), querystring: gradebookQuery },
        schemaErrorFormatter: unknownFile(
          'ask for /export/gradebook/canvas.csv or /export/gradebook/moodle.csv',
        ),
        config: { tokenRoute: 'GET /export/gradebook' as const },
      };
      r.get('/export/gradebook/:file', gradebookRoute, async (request, reply) => {
        const format = request.params.file as GradebookFormat;
        const q = request.query;
        const course = q.course ? await app.db.course.findUnique({ where: { slug: q.course } }) : null;
        if (q.course && !course) throw new ApiError('NOT_FOUND', `no course "${q.course}"`);
        const ids = q.labs
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const rows = await app.db.lab.findMany({
          where: ids ? { id: { in: ids } } : {},
          orderBy: { id: 'asc' },
        });
        const unknown = (ids ?? []).filter((id) => !rows.some((r) => r.id === id));
        if (unknown.length) throw new ApiError('NOT_FOUND', `no lab ${unknown.join(', ')}`);
        const labs = rows.map(toLabView);
        const students = await gradebookRows(app.db, labs, course?.id ?? null);
        await audit(app.db, {
          actor: request.user,
          action: 'gradebook.export',
          subject: course ? `course:${course.slug}` : undefined,
          after: { format, labs: labs.map((l) => l.id), rows: students.length },
        });
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header(
            'content-disposition',
            `attachment; filename="gradebook-${format}${course ? `-${course.slug}` : ''}.csv"`,
          )
          .send(format === 'canvas' ? canvasCsv(labs, students) : moodleCsv(labs, students));
      });

      // GET /export/insight/:labId.csv?stuckRuns=N: the class insight (failing hints with the
      // students, stuck students, time to first pass), for staff.
      const insightRoute = {
        schema: { params: csvFile(/.+/), querystring: insightQuery },
        schemaErrorFormatter: unknownFile('ask for /export/insight/<labId>.csv'),
        config: { tokenRoute: 'GET /export/insight' as const },
      };
      r.get('/export/insight/:file', insightRoute, async (request, reply) => {
        const labId = request.params.file;
        const lab = await app.db.lab.findUnique({ where: { id: labId } });
        if (!lab) throw new ApiError('NOT_FOUND', `no lab "${labId}"`);
        const x = await classInsight(app.db, lab.id, { stuckRuns: request.query.stuckRuns });
        await audit(app.db, {
          actor: request.user,
          action: 'insight.export',
          subject: `lab:${lab.id}`,
          after: { failures: x.failures.length, stuck: x.stuck.length },
        });
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="insight-${lab.id}.csv"`)
          .send(insightCsv(x));
      });
    });
  },
  { name: 'exports', dependencies: ['db', 'auth'] },
);
