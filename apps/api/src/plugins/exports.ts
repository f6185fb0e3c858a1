// GET /export/scoreboard/:labId.csv: the scoreboard query (same filters) as CSV, for staff.
import fp from 'fastify-plugin';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { toLabView } from '../lib/labs.ts';
import { queryScoreboard, type ScoreboardData } from '../lib/scoreboard.ts';
import type { LabView } from '../lib/labs.ts';
import { restError } from '../lib/errors.ts';
import { isStaff } from '../graphql/rules.ts';
import { audit } from '../lib/audit.ts';

const queryString = z.object({
  search: z.string().max(200).optional(),
  status: z.enum(['PENDING', 'RUNNING', 'PASS', 'FAIL', 'ERROR', 'SKIPPED']).optional(),
  checkId: z.string().max(200).optional(),
});

/** The scoreboard as CSV text: one row per enrollment, one column per check. */
export function scoreboardCsv(lab: LabView, data: ScoreboardData): string {
  const header = ['email', 'name', 'student_id', 'namespace', ...lab.checks.map((c) => c.id), 'score', 'max_score', 'best_score', 'status', 'last_graded_at'];
  const rows = data.rows.map((r) => [
    r.email,
    r.name,
    r.studentId ?? '',
    r.namespace,
    ...lab.checks.map((c) => r.cells.find((x) => x.checkId === c.id)?.status ?? 'PENDING'),
    r.score ?? '',
    r.maxScore,
    r.bestScore ?? '',
    r.latestStatus ?? 'NOT_GRADED',
    r.lastGradedAt ? r.lastGradedAt.toISOString() : '',
  ]);
  return stringify([header, ...rows]);
}

/** Registers the CSV export route. */
export default fp(
  async (app) => {
    app.get<{ Params: { file: string }; Querystring: Record<string, string> }>('/export/scoreboard/:file', async (request, reply) => {
      if (!request.user) return reply.code(401).send(restError('UNAUTHENTICATED', 'sign in first'));
      if (!isStaff(request.user)) return reply.code(403).send(restError('FORBIDDEN', 'the CSV export is for instructors and admins'));
      const m = /^(.+)\.csv$/.exec(request.params.file);
      if (!m?.[1]) return reply.code(404).send(restError('NOT_FOUND', 'ask for /export/scoreboard/<labId>.csv'));
      const q = queryString.safeParse(request.query);
      if (!q.success) return reply.code(400).send(restError('BAD_USER_INPUT', q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')));
      const row = await app.db.lab.findUnique({ where: { id: m[1] } });
      if (!row) return reply.code(404).send(restError('NOT_FOUND', `no lab "${m[1]}"`));
      const lab = toLabView(row);
      const data = await queryScoreboard(app.db, lab, { ...q.data, sort: 'NAME', first: null });
      await audit(app.db, { actor: request.user, action: 'scoreboard.export', subject: `lab:${lab.id}`, after: { rows: data.rows.length, ...q.data } });
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="scoreboard-${lab.id}.csv"`)
        .send(scoreboardCsv(lab, data));
    });
  },
  { name: 'exports', dependencies: ['db', 'auth'] },
);
