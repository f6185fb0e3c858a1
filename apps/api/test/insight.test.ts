// Class insight over GraphQL and CSV for a class with the chapter's mistakes: the failing hints of
// the latest runs with the students behind each, stuck students with N chosen, and the CSV's lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { agents, setup, type Harness } from './helpers.ts';

let h: Harness;
let as: Awaited<ReturnType<typeof agents>>;
const CHECKS = ['pv-claimref', 'pvc-bound', 'statefulset-ready', 'headless-dns', 'redis-persistence'];

async function run(enrollmentId: string, namespace: string, minutesAgo: number, fail?: [string, string]) {
  await h.db.gradingRun.create({
    data: {
      enrollmentId,
      labId: h.labId,
      namespace,
      trigger: 'STUDENT',
      status: fail ? 'FAILED' : 'PASSED',
      score: fail ? 80 : 100,
      maxScore: 100,
      queuedAt: new Date(Date.now() - minutesAgo * 60_000),
      finishedAt: new Date(Date.now() - minutesAgo * 60_000),
      checks: {
        create: CHECKS.map((c, i) => ({
          checkId: c,
          position: i,
          status: fail?.[0] === c ? 'FAIL' : 'PASS',
          points: 0,
          maxPoints: 20,
          hintKey: fail?.[0] === c ? fail[1] : null,
        })),
      },
    },
  });
}

beforeAll(async () => {
  h = await setup();
  as = await agents(h);
  const [ann, bob] = h.seeded.students;
  await run(ann!.enrollmentId, 'ann', 30, ['headless-dns', 'service-name-mismatch']);
  await run(ann!.enrollmentId, 'ann', 20, ['headless-dns', 'service-name-mismatch']);
  await run(bob!.enrollmentId, 'bob', 15, ['pv-claimref', 'claimref-wrong-namespace']);
  await run(bob!.enrollmentId, 'bob', 5);
});
afterAll(async () => {
  await h?.close();
});

const Q = `query($l: ID!, $n: Int) { classInsight(labId: $l, stuckRuns: $n) { students stuckRuns
  failures { checkId title { en } hintKey count students { namespace name } }
  stuck { namespace checkId hintKey runs } attempts { namespace runs } timeToPass { checkId tried passed } byDay { runs students } } }`;

describe('class insight', () => {
  it('counts the latest runs by failing hint with the students, and finds the stuck ones', async () => {
    const res = await as.instructor.gql<{
      classInsight: Record<string, unknown> & { failures: unknown[]; stuck: unknown[] };
    }>(Q, { l: h.labId, n: 2 });
    expect(res.errors).toBeUndefined();
    const x = res.data!.classInsight;
    expect(x).toMatchObject({ students: 2, stuckRuns: 2 });
    // Bob fixed his claimRef: only Ann's mismatch is on the latest runs.
    expect(x.failures).toEqual([
      {
        checkId: 'headless-dns',
        title: { en: expect.any(String) },
        hintKey: 'service-name-mismatch',
        count: 1,
        students: [{ namespace: 'ann', name: 'Ann Li' }],
      },
    ]);
    expect(x.stuck).toEqual([
      { namespace: 'ann', checkId: 'headless-dns', hintKey: 'service-name-mismatch', runs: 2 },
    ]);
    expect(x.attempts).toEqual([
      { namespace: 'ann', runs: 2 },
      { namespace: 'bob', runs: 2 },
    ]);
    expect(
      (await as.instructor.gql<{ classInsight: { stuck: unknown[] } }>(Q, { l: h.labId, n: 3 })).data!
        .classInsight.stuck,
    ).toEqual([]);
    expect((await as.instructor.gql(Q, { l: h.labId, n: 1 })).errors?.[0]?.extensions?.code).toBe(
      'BAD_USER_INPUT',
    );
    expect((await as.student.gql(Q, { l: h.labId })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('the CSV has the same failing hints, stuck students and times to pass', async () => {
    const res = await as.instructor.request('GET', `/export/insight/${h.labId}.csv?stuckRuns=2`);
    expect(res.statusCode).toBe(200);
    const rows = parse(res.body, { columns: true }) as Record<string, string>[];
    expect(
      rows
        .filter((r) => r.kind !== 'time_to_pass')
        .map((r) => [r.kind, r.check_id, r.hint_key, r.students, r.namespaces]),
    ).toEqual([
      ['failure', 'headless-dns', 'service-name-mismatch', '1', 'ann'],
      ['stuck', 'headless-dns', 'service-name-mismatch', '1', 'ann'],
    ]);
    expect(rows.find((r) => r.kind === 'time_to_pass' && r.check_id === 'pv-claimref')).toMatchObject({
      passed: '2',
      tried: '2',
    });
    expect(
      (await as.instructor.request('GET', `/export/insight/${h.labId}.csv?stuckRuns=99`)).statusCode,
    ).toBe(400);
  });
});
