// LMS gradebook CSVs: Canvas's and Moodle's import columns, identity from the roster (student id,
// email), one column per lab holding the scoreboard's counted score, the same numbers the
// scoreboard shows; staff only, and an API token needs scoreboard:read.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beginAttempt, finishRun } from '@kubegrade/db';
import { agents, setup, type Harness } from './helpers.ts';

let h: Harness;
let as: Awaited<ReturnType<typeof agents>>;
const LABS = ['pv-claimref', 'redis-exist-pvc'];

/** Grades a run per namespace for the lab as the worker would, with these scores out of 10. */
async function grade(labId: string, scores: Record<string, number>): Promise<void> {
  await h.db.gradingRun.updateMany({
    where: { status: { in: ['QUEUED', 'RUNNING'] } },
    data: { status: 'CANCELLED' },
  });
  const res = await as.admin.gql<{ regrade: { runs: { id: string; namespace: string }[] } }>(
    'mutation($l: ID!, $n: [String!]) { regrade(labId: $l, namespaces: $n, disruptive: false) { runs { id namespace } } }',
    { l: labId, n: Object.keys(scores) },
  );
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  for (const run of res.data.regrade.runs) {
    const a = await beginAttempt(h.db, run.id, `job-${run.id}`, [{ id: 'c1', position: 0, maxPoints: 10 }], {
      labVersion: '1',
      graderVersion: 'test',
      maxScore: 10,
    });
    const score = scores[run.namespace]!;
    const check = {
      id: 'c1',
      status: score === 10 ? 'pass' : 'fail',
      points: score,
      maxPoints: 10,
      message: '',
      hint: null,
      evidence: {},
      durationMs: 1,
    } as const;
    await finishRun(h.db, a!, {
      status: score === 10 ? 'PASSED' : 'FAILED',
      score,
      maxScore: 10,
      checks: [check],
    });
  }
}

beforeAll(async () => {
  h = await setup();
  as = await agents(h);
  await grade('pv-claimref', { ann: 10, bob: 4 });
  await grade('pv-claimref', { ann: 6 });
  await grade('redis-exist-pvc', { bob: 7.5 });
});
afterAll(async () => {
  await h?.close();
});

/** email -> lab -> counted score, as the scoreboard (GraphQL) shows it. */
async function scoreboardScores(): Promise<Record<string, Record<string, number | null>>> {
  const out: Record<string, Record<string, number | null>> = {};
  for (const lab of LABS) {
    const res = await as.instructor.gql<{
      scoreboard: { rows: { student: { email: string }; finalScore: number | null }[] };
    }>('query($l: ID!) { scoreboard(labId: $l) { rows { student { email } finalScore } } }', { l: lab });
    for (const r of res.data!.scoreboard.rows) (out[r.student.email] ??= {})[lab] = r.finalScore;
  }
  return out;
}

const num = (v: string | undefined) => (v === '' || v === undefined ? null : Number(v));

describe('LMS gradebook CSVs', () => {
  it("Canvas: Student, ID, SIS User ID, SIS Login ID, Section, a column per lab, Points Possible; the scores are the scoreboard's", async () => {
    const res = await as.instructor.request('GET', `/export/gradebook/canvas.csv?labs=${LABS.join(',')}`);
    const [header, points, ...rows] = parse(res.body) as string[][];
    const labsRes = await as.instructor.gql<{
      labs: { id: string; title: { en: string }; maxScore: number }[];
    }>('{ labs { id title { en } maxScore } }');
    const labs = LABS.map((id) => labsRes.data!.labs.find((l) => l.id === id)!);
    const board = await scoreboardScores();
    expect(board, 'the default policy counts the latest run (ann: 6, not her best 10)').toEqual({
      'ann@example.edu': { 'pv-claimref': 6, 'redis-exist-pvc': null },
      'bob@example.edu': { 'pv-claimref': 4, 'redis-exist-pvc': 7.5 },
    });
    expect({
      status: res.statusCode,
      type: res.headers['content-type'],
      header,
      points,
      identity: rows.map((r) => r.slice(0, 5)),
      scores: Object.fromEntries(rows.map((r) => [r[3], { [LABS[0]!]: num(r[5]), [LABS[1]!]: num(r[6]) }])),
    }).toEqual({
      status: 200,
      type: 'text/csv; charset=utf-8',
      header: [
        'Student',
        'ID',
        'SIS User ID',
        'SIS Login ID',
        'Section',
        ...labs.map((l) => `${l.title.en} [${l.id}]`),
      ],
      points: ['Points Possible', '', '', '', '', ...labs.map((l) => String(l.maxScore))],
      identity: [
        ['Ann Li', '', 's1', 'ann@example.edu', ''],
        ['Bob Wu', '', 's2', 'bob@example.edu', ''],
      ],
      scores: board,
    });
  });

  it('Moodle: ID number, Email address, Full name, "<lab> (Real)" columns; the same scores', async () => {
    const res = await as.instructor.request(
      'GET',
      `/export/gradebook/moodle.csv?course=k8s-storage&labs=${LABS.join(',')}`,
    );
    const [header, ...rows] = parse(res.body) as string[][];
    const board = await scoreboardScores();
    expect({
      header: header!.slice(0, 3),
      labColumns: header!.slice(3).every((c) => c.endsWith(' (Real)')),
      identity: rows.map((r) => r.slice(0, 3)),
      scores: Object.fromEntries(rows.map((r) => [r[1], { [LABS[0]!]: num(r[3]), [LABS[1]!]: num(r[4]) }])),
      // Nothing counted is an empty cell, not a zero.
      annRedis: rows.find((r) => r[1] === 'ann@example.edu')![4],
    }).toEqual({
      header: ['ID number', 'Email address', 'Full name'],
      labColumns: true,
      identity: [
        ['s1', 'ann@example.edu', 'Ann Li'],
        ['s2', 'bob@example.edu', 'Bob Wu'],
      ],
      scores: board,
      annRedis: '',
    });
  });

  it('students are refused; unknown formats, labs and courses are 404; a token needs scoreboard:read', async () => {
    const student = await as.student.request('GET', '/export/gradebook/canvas.csv');
    const format = await as.instructor.request('GET', '/export/gradebook/blackboard.csv');
    const lab = await as.instructor.request('GET', '/export/gradebook/canvas.csv?labs=nope');
    const course = await as.instructor.request('GET', '/export/gradebook/canvas.csv?course=nope');
    const mint = async (scopes: string[]) =>
      (
        await as.instructor.gql<{ createApiToken: { secret: string } }>(
          'mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { secret } }',
          { i: { name: 'gb', scopes, expiresInDays: 1 } },
        )
      ).data!.createApiToken.secret;
    const withToken = async (secret: string) =>
      (
        await h.app.inject({
          method: 'GET',
          url: '/export/gradebook/moodle.csv',
          headers: { authorization: `Bearer ${secret}` },
        })
      ).statusCode;
    expect({
      student: student.statusCode,
      format: format.statusCode,
      lab: lab.statusCode,
      course: course.statusCode,
      reader: await withToken(await mint(['scoreboard:read'])),
      runsOnly: await withToken(await mint(['runs:read'])),
    }).toEqual({ student: 403, format: 404, lab: 404, course: 404, reader: 200, runsOnly: 403 });
  });
});
