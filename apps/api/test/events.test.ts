// Outbound signed events end to end: an admin registers endpoints (127.0.0.1 receivers only), runs
// end through the worker's write path (beginAttempt/finishRun), the worker's delivery loop signs
// and sends from the `event-delivery` queue, and the receivers verify every signature with the
// `standardwebhooks` library. A failing endpoint is retried with back-off, marked failed, then
// redelivered from the admin API.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { beginAttempt, finishRun, setEventRetryOptions } from '@kubegrade/db';
import { until } from '@kubegrade/testkit';
import { startEventDelivery, type EventDelivery } from '@kubegrade/worker';
import { agents, setup, type Harness } from './helpers.ts';

let h: Harness;
let as: Awaited<ReturnType<typeof agents>>;
let delivery: EventDelivery;

/** A local receiver: answers `status()` and keeps what arrived, verified with the endpoint's secret. */
class Receiver {
  server: Server;
  secret = '';
  received: {
    headers: IncomingHttpHeaders;
    body: string;
    verified: boolean;
    payload: { type: string; data: Record<string, unknown> } | null;
  }[] = [];
  status = 200;
  constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        let payload = null;
        let verified: boolean;
        try {
          payload = new Webhook(this.secret).verify(
            body,
            req.headers as Record<string, string>,
          ) as Receiver['received'][number]['payload'];
          verified = true;
        } catch {
          verified = false;
        }
        this.received.push({ headers: req.headers, body, verified, payload });
        res
          .writeHead(this.status, { 'content-type': 'text/plain' })
          .end(this.status === 200 ? 'ok' : 'not now');
      });
    });
  }
  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }
  of(type: string) {
    return this.received.filter((r) => r.payload?.type === type);
  }
}

const ok = new Receiver();
const failing = new Receiver();
let okUrl: string;
let failingUrl: string;

beforeAll(async () => {
  // Short back-off so the retries of the failing endpoint take seconds (1 s, then 2 s).
  setEventRetryOptions({ retryLimit: 2, retryDelaySeconds: 1 });
  h = await setup();
  as = await agents(h);
  okUrl = await ok.listen();
  failingUrl = await failing.listen();
  delivery = await startEventDelivery({
    databaseUrl: h.testDb.url,
    key: h.config.webhookKey,
    logger: pino({ level: 'silent' }),
    pollingIntervalSeconds: 0.5,
    concurrency: 2,
  });
});
afterAll(async () => {
  await delivery?.stop();
  setEventRetryOptions(null);
  await h?.close();
  ok.server.close();
  failing.server.close();
});

type Created = {
  createEventEndpoint: { secret: string; endpoint: { id: string; events: string[]; courseSlug: string } };
};
async function createEndpoint(url: string, events: string[]) {
  const res = await as.admin.gql<Created>(
    'mutation($i: CreateEventEndpointInput!) { createEventEndpoint(input: $i) { secret endpoint { id events courseSlug } } }',
    { i: { courseSlug: 'k8s-storage', name: `ep-${events.join('+')}`, url, events } },
  );
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return res.data.createEventEndpoint;
}

const cancelActive = () =>
  h.db.gradingRun.updateMany({
    where: { status: { in: ['QUEUED', 'RUNNING'] } },
    data: { status: 'CANCELLED' },
  });

/** Queues runs for the namespaces (the admin's regrade) and grades them as the worker would. */
async function gradeNamespaces(scores: Record<string, number>): Promise<string[]> {
  await cancelActive();
  const res = await as.admin.gql<{ regrade: { runs: { id: string; namespace: string }[] } }>(
    'mutation($l: ID!, $n: [String!]) { regrade(labId: $l, namespaces: $n, disruptive: false) { runs { id namespace } } }',
    { l: h.labId, n: Object.keys(scores) },
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
  return res.data.regrade.runs.map((r) => r.id);
}

describe('outbound signed events', () => {
  it('refuses endpoints that are not http(s), carry credentials, or name unknown events or courses', async () => {
    const bad = async (i: Record<string, unknown>) =>
      (
        await as.admin.gql(
          'mutation($i: CreateEventEndpointInput!) { createEventEndpoint(input: $i) { secret } }',
          { i: { courseSlug: 'k8s-storage', name: 'x', url: okUrl, events: ['run.finished'], ...i } },
        )
      ).errors?.[0]?.extensions?.code;
    const byInstructor = await as.instructor.gql('{ eventEndpoints { id } }');
    expect({
      ftp: await bad({ url: 'ftp://127.0.0.1/x' }),
      creds: await bad({ url: 'http://u:p@127.0.0.1/x' }),
      event: await bad({ events: ['student.hacked'] }),
      course: await bad({ courseSlug: 'no-such-course' }),
      instructor: byInstructor.errors?.[0]?.extensions?.code,
    }).toEqual({
      ftp: 'BAD_USER_INPUT',
      creds: 'BAD_USER_INPUT',
      event: 'BAD_USER_INPUT',
      course: 'BAD_USER_INPUT',
      instructor: 'FORBIDDEN',
    });
  });

  it('a graded student: the endpoint receives run.finished and score.changed, signed so the library verifies them', async () => {
    const ep = await createEndpoint(okUrl, ['run.finished', 'score.changed']);
    ok.secret = ep.secret;
    const row = await h.db.eventEndpointSecret.findFirstOrThrow({ where: { endpointId: ep.endpoint.id } });
    const [runId] = await gradeNamespaces({ ann: 10 });
    await until(
      'run.finished and score.changed at the receiver',
      () => ok.of('run.finished').length >= 1 && ok.of('score.changed').length >= 1,
      { timeoutMs: 60_000 },
    );
    const finished = ok.of('run.finished')[0]!;
    const changed = ok.of('score.changed')[0]!;
    const logged = await until(
      'the delivery marked delivered',
      async () => {
        const d = await h.db.eventDelivery.findFirst({
          where: { endpointId: ep.endpoint.id, eventType: 'run.finished', status: 'delivered' },
        });
        return d;
      },
      { timeoutMs: 60_000 },
    );
    expect({
      storedInClear: Buffer.from(row.ciphertext).toString('utf8').includes(ep.secret.slice(6)),
      verified: [finished.verified, changed.verified],
      run: finished.payload!.data,
      change: { previous: changed.payload!.data.previousScore, score: changed.payload!.data.score },
      logged: {
        status: logged.status,
        code: logged.lastStatusCode,
        attempts: logged.attempts,
        timed: typeof logged.lastResponseMs,
        id: logged.messageId,
      },
    }).toEqual({
      storedInClear: false,
      verified: [true, true],
      run: expect.objectContaining({
        runId,
        lab: h.labId,
        course: 'k8s-storage',
        namespace: 'ann',
        status: 'PASSED',
        score: 10,
        maxScore: 10,
        student: { email: 'ann@example.edu', name: 'Ann Li', studentId: 's1' },
      }) as unknown as Record<string, unknown>,
      change: { previous: null, score: 10 },
      logged: {
        status: 'delivered',
        code: 200,
        attempts: 1,
        timed: 'number',
        id: finished.headers['webhook-id'],
      },
    });

    // score.changed follows the ledger's final score: under BEST a lower run changes nothing; a
    // late run (50 % off) that scores the same is no change either.
    await h.db.lab.update({ where: { id: h.labId }, data: { scorePolicy: 'BEST' } });
    const [lower] = await gradeNamespaces({ ann: 4 });
    await until(
      'run.finished of the lower run',
      () => ok.of('run.finished').some((e) => e.payload!.data.runId === lower),
      { timeoutMs: 60_000 },
    );
    expect(ok.of('score.changed')).toHaveLength(1);
    await h.db.lab.update({
      where: { id: h.labId },
      data: { scorePolicy: 'LAST', dueAt: new Date(Date.now() - 3600_000), latePenaltyPercent: 50 },
    });
    // The schedule change alone moved ann's final score to 2 (LAST: her 4, queued after the new due
    // date, 50 % off); the next run's event starts from there. A late 10 counts 5.
    const [late] = await gradeNamespaces({ ann: 10 });
    await until(
      'score.changed of the late run',
      () => ok.of('score.changed').some((e) => e.payload!.data.runId === late),
      { timeoutMs: 60_000 },
    );
    const lateChange = ok.of('score.changed').find((e) => e.payload!.data.runId === late)!.payload!.data;
    expect(lateChange).toMatchObject({
      previousScore: 2,
      score: 5,
      runScore: 10,
      latePercent: 50,
      countedRunId: late,
    });
    await h.db.lab.update({
      where: { id: h.labId },
      data: { scorePolicy: 'LAST', dueAt: null, latePenaltyPercent: null },
    });
  });

  it('a failing endpoint is retried with back-off, marked failed, then redelivered from the admin API', async () => {
    failing.status = 503;
    const ep = await createEndpoint(failingUrl, ['run.finished']);
    failing.secret = ep.secret;
    await gradeNamespaces({ bob: 0 });
    const failed = await until(
      'the delivery marked failed',
      () => h.db.eventDelivery.findFirst({ where: { endpointId: ep.endpoint.id, status: 'failed' } }),
      { timeoutMs: 60_000 },
    );
    const tries = failing.received.length;
    failing.status = 200;
    const res = await as.admin.gql<{ redeliverEvent: { status: string } }>(
      'mutation($id: ID!) { redeliverEvent(id: $id) { status } }',
      { id: failed.id },
    );
    const after = await until(
      'the redelivery delivered',
      () => h.db.eventDelivery.findFirst({ where: { id: failed.id, status: 'delivered' } }),
      { timeoutMs: 60_000 },
    );
    const listed = await as.admin.gql<{
      eventEndpoints: {
        id: string;
        deliveries: { status: string; attempts: number; log: { statusCode: number }[] }[];
      }[];
    }>('{ eventEndpoints { id deliveries { status attempts log { statusCode } } } }');
    const shown = listed.data!.eventEndpoints.find((e) => e.id === ep.endpoint.id)!.deliveries[0]!;
    const audited = await h.db.auditEntry.count({
      where: { action: 'event-delivery.redeliver', subject: `event-delivery:${failed.id}` },
    });
    expect({
      failedAfter: failed.attempts,
      lastCode: failed.lastStatusCode,
      receiverSaw: tries,
      allSigned: failing.received.every((r) => r.verified),
      sameMessageId: new Set(failing.received.map((r) => r.headers['webhook-id'])).size,
      redeliverAnswer: res.data?.redeliverEvent.status,
      after: { status: after.status, attempts: after.attempts },
      shown: { status: shown.status, codes: shown.log.map((l) => l.statusCode) },
      audited,
    }).toEqual({
      failedAfter: 3,
      lastCode: 503,
      receiverSaw: 3,
      allSigned: true,
      sameMessageId: 1,
      redeliverAnswer: 'pending',
      after: { status: 'delivered', attempts: 4 },
      shown: { status: 'delivered', codes: [503, 503, 503, 200] },
      audited: 1,
    });
  });

  it('regrade.completed is sent once, when the last run of the regrade ends; a rotated endpoint signs with both secrets', async () => {
    const ep = await createEndpoint(okUrl, ['regrade.completed']);
    const rotated = await as.admin.gql<{
      rotateEventEndpointSecret: { secret: string; endpoint: { activeSecrets: number } };
    }>('mutation($id: ID!) { rotateEventEndpointSecret(id: $id) { secret endpoint { activeSecrets } } }', {
      id: ep.endpoint.id,
    });
    const before = ok.of('regrade.completed').length;
    ok.secret = rotated.data!.rotateEventEndpointSecret.secret;
    await gradeNamespaces({ ann: 10, bob: 5 });
    await until('regrade.completed', () => ok.of('regrade.completed').length > before, { timeoutMs: 60_000 });
    const got = ok.of('regrade.completed').at(-1)!;
    const oldSecretVerifies = (() => {
      try {
        new Webhook(ep.secret).verify(got.body, got.headers as Record<string, string>);
        return true;
      } catch {
        return false;
      }
    })();
    expect({
      secrets: rotated.data!.rotateEventEndpointSecret.endpoint.activeSecrets,
      count: ok.of('regrade.completed').length - before,
      verified: got.verified,
      oldSecretVerifies,
      data: {
        runs: got.payload!.data.runs,
        passed: got.payload!.data.passed,
        failed: got.payload!.data.failed,
      },
    }).toEqual({
      secrets: 2,
      count: 1,
      verified: true,
      oldSecretVerifies: true,
      data: { runs: 2, passed: 1, failed: 1 },
    });
  });

  it('a regrade triggered by a signed inbound webhook also ends with one regrade.completed', async () => {
    const before = ok.of('regrade.completed').length;
    const hook = await as.admin.gql<{ createWebhook: { secret: string; webhook: { id: string } } }>(
      'mutation { createWebhook(input: { name: "ci", scopeKind: ALL }) { secret webhook { id } } }',
    );
    const { secret, webhook } = hook.data!.createWebhook;
    await cancelActive();
    const body = JSON.stringify({ lab: h.labId, namespaces: ['ann'], disruptive: false });
    const id = `msg_${Date.now()}`;
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await h.app.inject({
      method: 'POST',
      url: `/webhooks/regrade/${webhook.id}`,
      payload: body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': ts,
        'webhook-signature': new Webhook(secret).sign(id, new Date(Number(ts) * 1000), body),
      },
    });
    const [runId] = (res.json() as { runIds: string[] }).runIds;
    const a = await beginAttempt(h.db, runId!, `job-${runId}`, [{ id: 'c1', position: 0, maxPoints: 10 }], {
      labVersion: '1',
      graderVersion: 'test',
      maxScore: 10,
    });
    await finishRun(h.db, a!, {
      status: 'PASSED',
      score: 10,
      maxScore: 10,
      checks: [
        {
          id: 'c1',
          status: 'pass',
          points: 10,
          maxPoints: 10,
          message: '',
          hint: null,
          evidence: {},
          durationMs: 1,
        },
      ],
    });
    await until(
      'regrade.completed for the webhook regrade',
      () => ok.of('regrade.completed').length > before,
      { timeoutMs: 60_000 },
    );
    const got = ok.of('regrade.completed').at(-1)!;
    expect({
      status: res.statusCode,
      verified: got.verified,
      runs: got.payload!.data.runs,
      passed: got.payload!.data.passed,
    }).toEqual({ status: 202, verified: true, runs: 1, passed: 1 });
  });

  it('student.stuck is sent once, when the same failing hint comes back a third run in a row', async () => {
    const ep = await createEndpoint(okUrl, ['student.stuck']);
    ok.secret = ep.secret;
    const before = ok.of('student.stuck').length;
    const hint = { key: 'pvc.pending', zh: '声明未绑定', en: 'the claim is not bound' };
    for (let i = 0; i < 4; i++) {
      await cancelActive();
      const res = await as.admin.gql<{ regrade: { runs: { id: string }[] } }>(
        'mutation($l: ID!) { regrade(labId: $l, namespaces: ["bob"], disruptive: false) { runs { id } } }',
        { l: h.labId },
      );
      const runId = res.data!.regrade.runs[0]!.id;
      const a = await beginAttempt(h.db, runId, `job-${runId}`, [{ id: 'c1', position: 0, maxPoints: 10 }], {
        labVersion: '1',
        graderVersion: 'test',
        maxScore: 10,
      });
      await finishRun(h.db, a!, {
        status: 'FAILED',
        score: 0,
        maxScore: 10,
        checks: [
          {
            id: 'c1',
            status: 'fail',
            points: 0,
            maxPoints: 10,
            message: 'Pending',
            hint,
            evidence: {},
            durationMs: 1,
          },
        ],
      });
    }
    await until('student.stuck', () => ok.of('student.stuck').length > before, { timeoutMs: 60_000 });
    // Deliveries are written in each run's own transaction: the fourth failing run (the streak
    // going on) wrote none.
    const rows = await h.db.eventDelivery.count({ where: { endpointId: ep.endpoint.id } });
    const got = ok.of('student.stuck').at(-1)!;
    expect({
      sent: ok.of('student.stuck').length - before,
      rows,
      verified: got.verified,
      data: {
        ns: got.payload!.data.namespace,
        check: got.payload!.data.checkId,
        hint: got.payload!.data.hintKey,
        runs: got.payload!.data.runs,
      },
    }).toEqual({
      sent: 1,
      rows: 1,
      verified: true,
      data: { ns: 'bob', check: 'c1', hint: 'pvc.pending', runs: 3 },
    });
  });
});
