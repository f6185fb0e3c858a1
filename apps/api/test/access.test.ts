// The role matrix: every GraphQL operation and REST route, for anonymous, a student, another
// student (acting on the first student's objects), an instructor and an admin. One assertion per cell.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { Agent, agents, setup, type Harness } from './helpers.ts';
import { firstResult, wsClient } from './ws.ts';
import { checkRuleCoverage } from '../src/plugins/graphql.ts';
import { runTopic, scoreboardTopic, submitRun } from '../src/lib/runs.ts';
import { createWebhook } from '../src/lib/webhooks.ts';
import { toSessionUser } from '../src/lib/sign-in.ts';
import { createApiToken } from '../src/lib/api-tokens.ts';
import { createEventEndpoint } from '../src/lib/events.ts';

type Role = 'anonymous' | 'student' | 'otherStudent' | 'instructor' | 'admin';
type Outcome = 'ok' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT';
const ROLES: Role[] = ['anonymous', 'student', 'otherStudent', 'instructor', 'admin'];

let h: Harness;
let as: Record<Role, Agent>;
let annRunId: string;
let annEnrollmentId: string;
let baseUrl: string;

/** A fresh queued run for ann (ann's earlier runs may have been cancelled by other cells). */
async function freshAnnRun(): Promise<string> {
  await h.db.gradingRun.updateMany({
    where: { namespace: 'ann', status: { in: ['QUEUED', 'RUNNING'] } },
    data: { status: 'CANCELLED' },
  });
  const { run } = await submitRun(h.db, {
    enrollmentId: annEnrollmentId,
    labId: h.labId,
    trigger: 'INSTRUCTOR',
    disruptive: false,
  });
  return run.id;
}

async function freshHook(): Promise<string> {
  const admin = await h.db.user.findUniqueOrThrow({ where: { email: 'admin@example.edu' } });
  const { webhook } = await createWebhook(
    h.db,
    h.config.webhookKey,
    { name: 'hook', scopeKind: 'ALL', labs: [], namespaces: [] },
    toSessionUser(admin),
  );
  return webhook.id;
}

const all = (o: Outcome): Record<Role, Outcome> => ({
  anonymous: o,
  student: o,
  otherStudent: o,
  instructor: o,
  admin: o,
});
const signedIn: Record<Role, Outcome> = { ...all('ok'), anonymous: 'UNAUTHENTICATED' };
const ownerOrStaff: Record<Role, Outcome> = { ...signedIn, otherStudent: 'FORBIDDEN' };
const studentsOnly: Record<Role, Outcome> = {
  anonymous: 'UNAUTHENTICATED',
  student: 'ok',
  otherStudent: 'ok',
  instructor: 'FORBIDDEN',
  admin: 'FORBIDDEN',
};
const staff: Record<Role, Outcome> = {
  anonymous: 'UNAUTHENTICATED',
  student: 'FORBIDDEN',
  otherStudent: 'FORBIDDEN',
  instructor: 'ok',
  admin: 'ok',
};
const adminOnly: Record<Role, Outcome> = { ...staff, instructor: 'FORBIDDEN' };

interface Op {
  name: string;
  doc: string;
  vars: () => Promise<Record<string, unknown>> | Record<string, unknown>;
  expect: Record<Role, Outcome>;
}

const ops: Op[] = [
  { name: 'Query.me', doc: '{ me { id } }', vars: () => ({}), expect: all('ok') },
  { name: 'Query.labs', doc: '{ labs { id } }', vars: () => ({}), expect: signedIn },
  {
    name: 'Query.lab',
    doc: 'query($id: ID!) { lab(id: $id) { id } }',
    vars: () => ({ id: h.labId }),
    expect: signedIn,
  },
  { name: 'Query.myLabs', doc: '{ myLabs { lab { id } } }', vars: () => ({}), expect: signedIn },
  {
    name: 'Query.runs',
    doc: 'query($e: ID) { runs(enrollmentId: $e) { total } }',
    vars: () => ({ e: annEnrollmentId }),
    expect: ownerOrStaff,
  },
  {
    name: 'Query.run',
    doc: 'query($id: ID!) { run(id: $id) { id namespace } }',
    vars: () => ({ id: annRunId }),
    expect: ownerOrStaff,
  },
  {
    name: 'Query.scoreboard',
    doc: 'query($l: ID!) { scoreboard(labId: $l) { total } }',
    vars: () => ({ l: h.labId }),
    expect: staff,
  },
  { name: 'Query.enrollments', doc: '{ enrollments { id namespace } }', vars: () => ({}), expect: staff },
  { name: 'Query.webhooks', doc: '{ webhooks { id } }', vars: () => ({}), expect: adminOnly },
  { name: 'Query.auditLog', doc: '{ auditLog { id } }', vars: () => ({}), expect: adminOnly },
  {
    name: 'Mutation.submitRun',
    doc: 'mutation($l: ID!) { submitRun(labId: $l) { joined run { id } } }',
    vars: () => ({ l: h.labId }),
    expect: studentsOnly,
  },
  {
    name: 'Mutation.regrade',
    doc: 'mutation($l: ID!, $e: [ID!]) { regrade(labId: $l, enrollmentIds: $e) { joined runs { id } } }',
    vars: () => ({ l: h.labId, e: [annEnrollmentId] }),
    expect: staff,
  },
  {
    name: 'Mutation.cancelRun',
    doc: 'mutation($id: ID!) { cancelRun(id: $id) { id status } }',
    vars: async () => ({ id: await freshAnnRun() }),
    expect: staff,
  },
  {
    name: 'Mutation.importRoster',
    doc: 'mutation($csv: String!) { importRoster(csv: $csv, dryRun: true) { created } }',
    vars: () => ({ csv: 'email,name,student_id,namespace\nnew@example.edu,New,s9,new-ns\n' }),
    expect: staff,
  },
  {
    name: 'Mutation.setLabEnabled',
    doc: 'mutation($l: ID!) { setLabEnabled(labId: $l, enabled: true) { id } }',
    vars: () => ({ l: h.labId }),
    expect: adminOnly,
  },
  {
    name: 'Mutation.setLabDisruptive',
    doc: 'mutation($l: ID!) { setLabDisruptive(labId: $l, enabled: true) { id } }',
    vars: () => ({ l: h.labId }),
    expect: adminOnly,
  },
  {
    name: 'Mutation.setLabLive',
    doc: 'mutation($l: ID!) { setLabLive(labId: $l, enabled: false) { id } }',
    vars: () => ({ l: h.labId }),
    expect: staff,
  },
  {
    name: 'Mutation.createWebhook',
    doc: 'mutation { createWebhook(input: { name: "ci", scopeKind: ALL }) { secret webhook { id } } }',
    vars: () => ({}),
    expect: adminOnly,
  },
  {
    name: 'Mutation.rotateWebhookSecret',
    doc: 'mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }',
    vars: async () => ({ id: await freshHook() }),
    expect: adminOnly,
  },
  {
    name: 'Mutation.retirePreviousWebhookSecrets',
    doc: 'mutation($id: ID!) { retirePreviousWebhookSecrets(id: $id) { id activeSecrets } }',
    vars: async () => ({ id: await freshHook() }),
    expect: adminOnly,
  },
  {
    name: 'Mutation.revokeWebhook',
    doc: 'mutation($id: ID!) { revokeWebhook(id: $id) { id active } }',
    vars: async () => ({ id: await freshHook() }),
    expect: adminOnly,
  },
  { name: 'Query.apiTokens', doc: '{ apiTokens { id } }', vars: () => ({}), expect: staff },
  {
    name: 'Mutation.createApiToken',
    doc: 'mutation { createApiToken(input: { name: "ci", scopes: ["runs:read"], expiresInDays: 1 }) { secret } }',
    vars: () => ({}),
    expect: staff,
  },
  // The admin's token: an instructor passes the role rule but may not see another's token (NOT_FOUND).
  {
    name: 'Mutation.revokeApiToken',
    doc: 'mutation($id: ID!) { revokeApiToken(id: $id) { id active } }',
    vars: async () => ({ id: await freshToken() }),
    expect: { ...staff, instructor: 'NOT_FOUND' as Outcome },
  },
  {
    name: 'Query.scoreLedger',
    doc: 'query($l: ID!, $e: ID) { scoreLedger(labId: $l, enrollmentId: $e) { finalScore } }',
    vars: () => ({ l: h.labId, e: annEnrollmentId }),
    expect: ownerOrStaff,
  },
  {
    name: 'Query.labExtensions',
    doc: 'query($l: ID!) { labExtensions(labId: $l) { dueAt } }',
    vars: () => ({ l: h.labId }),
    expect: staff,
  },
  { name: 'Query.courses', doc: '{ courses { id timeZone } }', vars: () => ({}), expect: staff },
  {
    name: 'Mutation.setLabSchedule',
    doc: 'mutation($l: ID!) { setLabSchedule(labId: $l, input: { scorePolicy: LAST }) { id } }',
    vars: () => ({ l: h.labId }),
    expect: staff,
  },
  {
    name: 'Mutation.setExtension',
    doc: 'mutation($l: ID!, $e: ID!) { setExtension(labId: $l, enrollmentId: $e, dueAt: "2030-01-01T00:00:00Z") { dueAt } }',
    vars: () => ({ l: h.labId, e: annEnrollmentId }),
    expect: staff,
  },
  {
    name: 'Mutation.removeExtension',
    doc: 'mutation($l: ID!, $e: ID!) { removeExtension(labId: $l, enrollmentId: $e) }',
    vars: () => ({ l: h.labId, e: annEnrollmentId }),
    expect: staff,
  },
  {
    name: 'Mutation.adjustScore',
    doc: 'mutation($l: ID!, $e: ID!) { adjustScore(labId: $l, enrollmentId: $e, points: 1, reason: "matrix") { finalScore } }',
    vars: () => ({ l: h.labId, e: annEnrollmentId }),
    expect: staff,
  },
  {
    name: 'Mutation.previewRegrade',
    doc: 'mutation($l: ID!, $e: [ID!]) { previewRegrade(labId: $l, enrollmentIds: $e) { id } }',
    vars: () => ({ l: h.labId, e: [annEnrollmentId] }),
    expect: staff,
  },
  {
    name: 'Query.regradePreview',
    doc: 'query($id: ID!) { regradePreview(id: $id) { id } }',
    vars: async () => ({ id: await freshPreview() }),
    expect: staff,
  },
  {
    name: 'Mutation.applyRegradePreview',
    doc: 'mutation($id: ID!) { applyRegradePreview(id: $id, reason: "matrix") { applied } }',
    vars: async () => ({ id: await freshPreview() }),
    expect: staff,
  },
  {
    name: 'Query.classInsight',
    doc: 'query($l: ID!) { classInsight(labId: $l) { students } }',
    vars: () => ({ l: h.labId }),
    expect: staff,
  },
  {
    name: 'Mutation.setCheckPoints',
    doc: 'mutation($l: ID!) { setCheckPoints(labId: $l, checkId: "pv-claimref", points: 15) { id } }',
    vars: () => ({ l: h.labId }),
    expect: staff,
  },
  {
    name: 'Mutation.setCourseTimeZone',
    doc: 'mutation($c: ID!) { setCourseTimeZone(courseId: $c, timeZone: "UTC") { timeZone } }',
    vars: () => ({ c: h.seeded.courseId }),
    expect: staff,
  },
  { name: 'Query.eventEndpoints', doc: '{ eventEndpoints { id } }', vars: () => ({}), expect: adminOnly },
  {
    name: 'Mutation.createEventEndpoint',
    doc: 'mutation { createEventEndpoint(input: { courseSlug: "k8s-storage", name: "chat", url: "http://127.0.0.1:9/hook", events: ["run.finished"] }) { secret } }',
    vars: () => ({}),
    expect: adminOnly,
  },
  {
    name: 'Mutation.rotateEventEndpointSecret',
    doc: 'mutation($id: ID!) { rotateEventEndpointSecret(id: $id) { secret } }',
    vars: async () => ({ id: await freshEndpoint() }),
    expect: adminOnly,
  },
  {
    name: 'Mutation.revokeEventEndpoint',
    doc: 'mutation($id: ID!) { revokeEventEndpoint(id: $id) { id active } }',
    vars: async () => ({ id: await freshEndpoint() }),
    expect: adminOnly,
  },
  {
    name: 'Mutation.redeliverEvent',
    doc: 'mutation($id: ID!) { redeliverEvent(id: $id) { id status } }',
    vars: async () => ({ id: await freshFailedDelivery() }),
    expect: adminOnly,
  },
  {
    name: 'Query.ltiPlatforms',
    doc: '{ ltiPlatforms { id toolJwksUrl } }',
    vars: () => ({}),
    expect: adminOnly,
  },
  {
    name: 'Mutation.createLtiPlatform',
    doc: `mutation($i: CreateLtiPlatformInput!) { createLtiPlatform(input: $i) { id } }`,
    vars: () => {
      ltiSeq += 1;
      const base = `http://127.0.0.1:9/p${ltiSeq}`;
      return {
        i: {
          courseSlug: 'k8s-storage',
          name: 'lms',
          issuer: base,
          clientId: 'c',
          deploymentId: 'd',
          authLoginUrl: `${base}/auth`,
          authTokenUrl: `${base}/token`,
          jwksUrl: `${base}/jwks`,
        },
      };
    },
    expect: adminOnly,
  },
  {
    name: 'Query.ltiPassbacks',
    doc: 'query($e: ID!, $l: ID!) { ltiPassbacks(enrollmentId: $e, labId: $l) { id } }',
    vars: () => ({ e: annEnrollmentId, l: h.labId }),
    expect: staff,
  },
  // Past the rule, these answer why they cannot act yet: no launch has shared the NRPS URL, no line item.
  {
    name: 'Mutation.syncLtiRoster',
    doc: 'mutation($p: ID!) { syncLtiRoster(platformId: $p, dryRun: true) { created } }',
    vars: async () => ({ p: (await h.db.ltiPlatform.findFirstOrThrow()).id }),
    expect: { ...adminOnly, admin: 'CONFLICT' },
  },
  {
    name: 'Mutation.pushLtiScore',
    doc: 'mutation($e: ID!, $l: ID!) { pushLtiScore(enrollmentId: $e, labId: $l) { id } }',
    vars: () => ({ e: annEnrollmentId, l: h.labId }),
    expect: { ...staff, instructor: 'NOT_FOUND', admin: 'NOT_FOUND' },
  },
];

let ltiSeq = 0;

async function freshEndpoint(): Promise<string> {
  const admin = await h.db.user.findUniqueOrThrow({ where: { email: 'admin@example.edu' } });
  const course = await h.db.course.findFirstOrThrow();
  const { endpoint } = await createEventEndpoint(
    h.db,
    h.config.webhookKey,
    { courseId: course.id, name: 'ep', url: 'http://127.0.0.1:9/hook', events: ['run.finished'] },
    toSessionUser(admin),
  );
  return endpoint.id;
}

async function freshFailedDelivery(): Promise<string> {
  const d = await h.db.eventDelivery.create({
    data: {
      endpointId: await freshEndpoint(),
      messageId: 'msg_matrix',
      eventType: 'run.finished',
      payload: {},
      status: 'failed',
    },
  });
  return d.id;
}

/** A regrade preview of nobody (nothing to grade), created directly. */
async function freshPreview(): Promise<string> {
  const p = await h.db.regradePreview.create({ data: { labId: h.labId, labVersion: '1' } });
  return p.id;
}

async function freshToken(): Promise<string> {
  const admin = await h.db.user.findUniqueOrThrow({ where: { email: 'admin@example.edu' } });
  const { token } = await createApiToken(
    h.db,
    { name: 'matrix', scopes: ['runs:read'], expiresInDays: 1 },
    toSessionUser(admin),
  );
  return token.id;
}

interface SubOp {
  name: string;
  doc: string;
  vars: () => Record<string, unknown>;
  poke: () => void;
  expect: Record<Role, Outcome>;
}
const subs: SubOp[] = [
  {
    name: 'Subscription.runProgress',
    doc: 'subscription($id: ID!) { runProgress(runId: $id) { runId run { status } } }',
    vars: () => ({ id: annRunId }),
    poke: () => h.app.pubsub.emit({ topic: runTopic(annRunId), payload: { runId: annRunId } }),
    expect: ownerOrStaff,
  },
  {
    name: 'Subscription.scoreboardChanged',
    doc: 'subscription($l: ID!) { scoreboardChanged(labId: $l) { namespace } }',
    vars: () => ({ l: h.labId }),
    poke: () =>
      h.app.pubsub.emit({
        topic: scoreboardTopic(h.labId),
        payload: { labId: h.labId, enrollmentId: annEnrollmentId },
      }),
    expect: staff,
  },
  {
    // The student's own enrollment's state comes first, with no event needed.
    name: 'Subscription.liveLab',
    doc: 'subscription($l: ID!) { liveLab(labId: $l) { status } }',
    vars: () => ({ l: h.labId }),
    poke: () => undefined,
    expect: studentsOnly,
  },
];

beforeAll(async () => {
  h = await setup();
  as = await agents(h);
  annEnrollmentId = h.seeded.students.find((s) => s.namespace === 'ann')!.enrollmentId;
  annRunId = await freshAnnRun();
  const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = address.replace(/^http/, 'ws');
});
afterAll(async () => {
  await h?.close();
});

describe('every GraphQL operation is covered by a rule', () => {
  it('rules.ts and schema.graphql agree', () => {
    expect(() => checkRuleCoverage()).not.toThrow();
  });
  it('the matrix below names every Query, Mutation and Subscription', async () => {
    const { buildSchema } = await import('graphql');
    const { schemaSDL } = await import('../src/plugins/graphql.ts');
    const schema = buildSchema(schemaSDL);
    const roots = {
      Query: schema.getQueryType(),
      Mutation: schema.getMutationType(),
      Subscription: schema.getSubscriptionType(),
    };
    const names = Object.entries(roots).flatMap(([t, type]) =>
      Object.keys(type!.getFields()).map((f) => `${t}.${f}`),
    );
    expect([...ops.map((o) => o.name), ...subs.map((s) => s.name)].sort()).toEqual(names.sort());
  });
});

describe('GraphQL role matrix', () => {
  const cells = ops.flatMap((op) => ROLES.map((role) => [op.name, role, op] as const));
  it.each(cells)('%s as %s', async (_name, role, op) => {
    const res = await as[role].gql(op.doc, await op.vars());
    const outcome = res.errors?.length ? res.errors[0]?.extensions?.code : 'ok';
    expect(outcome === 'ok' ? 'ok' : outcome, JSON.stringify(res.errors)).toBe(op.expect[role]);
  });
});

describe('subscription role matrix (graphql-ws over a real WebSocket)', () => {
  const cells = subs.flatMap((op) => ROLES.map((role) => [op.name, role, op] as const));
  let clients: Client[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    clients = [];
  });
  it.each(cells)('%s as %s', async (_name, role, op) => {
    const client = wsClient(`${baseUrl}/graphql`, as[role].cookie, h.config.publicUrl);
    clients.push(client);
    const res = await firstResult(client, op.doc, op.vars(), op.poke);
    const outcome = 'errors' in res ? res.errors[0]?.extensions?.code : 'ok';
    expect(outcome).toBe(op.expect[role]);
  });
});

describe('REST role matrix', () => {
  interface Route {
    name: string;
    call: (a: Agent) => Promise<number>;
    expect: Record<Role, number>;
  }
  const same = (n: number): Record<Role, number> => ({
    anonymous: n,
    student: n,
    otherStudent: n,
    instructor: n,
    admin: n,
  });
  const fresh = async (role: Role) => {
    const emails: Record<Role, string | null> = {
      anonymous: null,
      student: 'ann@example.edu',
      otherStudent: 'bob@example.edu',
      instructor: 'teacher@example.edu',
      admin: 'admin@example.edu',
    };
    const a = new Agent(h.app);
    if (emails[role]) await a.login(emails[role]);
    return a;
  };
  const routes: Route[] = [
    {
      name: 'GET /auth/csrf',
      call: async (a) => (await a.request('GET', '/auth/csrf')).statusCode,
      expect: same(200),
    },
    {
      name: 'GET /auth/providers',
      call: async (a) => (await a.request('GET', '/auth/providers')).statusCode,
      expect: same(200),
    },
    {
      name: 'GET /healthz',
      call: async (a) => (await a.request('GET', '/healthz')).statusCode,
      expect: same(200),
    },
    {
      name: 'GET /readyz',
      call: async (a) => (await a.request('GET', '/readyz')).statusCode,
      expect: same(200),
    },
    {
      name: 'GET /export/scoreboard/:lab.csv',
      call: async (a) => (await a.request('GET', `/export/scoreboard/${h.labId}.csv`)).statusCode,
      expect: { anonymous: 401, student: 403, otherStudent: 403, instructor: 200, admin: 200 },
    },
    {
      name: 'GET /export/insight/:lab.csv',
      call: async (a) => (await a.request('GET', `/export/insight/${h.labId}.csv`)).statusCode,
      expect: { anonymous: 401, student: 403, otherStudent: 403, instructor: 200, admin: 200 },
    },
    {
      name: 'POST /auth/login (wrong password)',
      call: async (a) =>
        (await a.request('POST', '/auth/login', { email: 'ann@example.edu', password: 'not the password' }))
          .statusCode,
      expect: same(401),
    },
    {
      name: 'POST /auth/set-password (unknown token)',
      call: async (a) =>
        (
          await a.request('POST', '/auth/set-password', {
            token: 'x'.repeat(40),
            password: 'long enough password',
          })
        ).statusCode,
      expect: same(400),
    },
    {
      name: 'POST /webhooks/regrade/:id (no signature)',
      call: async (a) =>
        (
          await a.request('POST', `/webhooks/regrade/${await freshHook()}`, {
            lab: h.labId,
            namespaces: 'all',
          })
        ).statusCode,
      expect: same(401),
    },
    {
      name: 'GET /auth/oidc/login (not configured)',
      call: async (a) => (await a.request('GET', '/auth/oidc/login')).statusCode,
      expect: same(404),
    },
    {
      name: 'POST /auth/logout',
      call: async (a) => (await a.request('POST', '/auth/logout')).statusCode,
      expect: same(204),
    },
  ];
  const cells = routes.flatMap((r) => ROLES.map((role) => [r.name, role, r] as const));
  it.each(cells)('%s as %s', async (_name, role, route) => {
    expect(await route.call(await fresh(role))).toBe(route.expect[role]);
  });
});

describe("a student cannot read or grade another student's namespace", () => {
  // Bob (otherStudent) tries every operation against Ann's enrollment and runs.
  const denied = (res: { errors?: { extensions?: { code?: string } }[] }) =>
    res.errors?.[0]?.extensions?.code;

  it('run(id) of her run is refused', async () => {
    expect(
      denied(await as.otherStudent.gql('query($id: ID!) { run(id: $id) { id } }', { id: annRunId })),
    ).toBe('FORBIDDEN');
  });
  it('runs(enrollmentId) of her enrollment is refused', async () => {
    expect(
      denied(
        await as.otherStudent.gql('query($e: ID) { runs(enrollmentId: $e) { total } }', {
          e: annEnrollmentId,
        }),
      ),
    ).toBe('FORBIDDEN');
  });
  it('runs without a filter lists only his own namespace', async () => {
    const res = await as.otherStudent.gql<{ runs: { nodes: { namespace: string }[] } }>(
      '{ runs(first: 100) { nodes { namespace } } }',
    );
    expect(res.data?.runs.nodes.every((r) => r.namespace === 'bob')).toBe(true);
  });
  it('myLabs shows only his own enrollment', async () => {
    const res = await as.otherStudent.gql<{ myLabs: { enrollment: { namespace: string } }[] }>(
      '{ myLabs { enrollment { namespace } } }',
    );
    expect([...new Set(res.data?.myLabs.map((m) => m.enrollment.namespace))]).toEqual(['bob']);
  });
  it('submitRun grades his own namespace (the namespace is never taken from input)', async () => {
    const res = await as.otherStudent.gql<{ submitRun: { run: { namespace: string } } }>(
      'mutation($l: ID!) { submitRun(labId: $l) { run { namespace } } }',
      { l: h.labId },
    );
    expect(res.data?.submitRun.run.namespace).toBe('bob');
  });
  it('regrade of her enrollment is refused', async () => {
    expect(
      denied(
        await as.otherStudent.gql(
          'mutation($l: ID!, $e: [ID!]) { regrade(labId: $l, enrollmentIds: $e) { joined } }',
          { l: h.labId, e: [annEnrollmentId] },
        ),
      ),
    ).toBe('FORBIDDEN');
  });
  it('cancelRun of her run is refused', async () => {
    expect(
      denied(await as.otherStudent.gql('mutation($id: ID!) { cancelRun(id: $id) { id } }', { id: annRunId })),
    ).toBe('FORBIDDEN');
  });
  it('scoreboard (which shows her row) is refused', async () => {
    expect(
      denied(await as.otherStudent.gql('query($l: ID!) { scoreboard(labId: $l) { total } }', { l: h.labId })),
    ).toBe('FORBIDDEN');
  });
  it('enrollments (which list her namespace) is refused', async () => {
    expect(denied(await as.otherStudent.gql('{ enrollments { namespace } }'))).toBe('FORBIDDEN');
  });
  it('the CSV export is refused', async () => {
    expect((await as.otherStudent.request('GET', `/export/scoreboard/${h.labId}.csv`)).statusCode).toBe(403);
  });
  it('runProgress on her run is refused', async () => {
    const client = wsClient(`${baseUrl}/graphql`, as.otherStudent.cookie, h.config.publicUrl);
    try {
      const res = await firstResult(
        client,
        'subscription($id: ID!) { runProgress(runId: $id) { runId } }',
        { id: annRunId },
        () => h.app.pubsub.emit({ topic: runTopic(annRunId), payload: { runId: annRunId } }),
      );
      expect('errors' in res ? res.errors[0]?.extensions?.code : 'delivered').toBe('FORBIDDEN');
    } finally {
      await client.dispose();
    }
  });
  it('a WebSocket from a foreign origin is refused with 403', async () => {
    const { default: WebSocket } = await import('ws');
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${baseUrl}/graphql`, 'graphql-transport-ws', {
        headers: { cookie: as.student.cookie, origin: 'https://evil.example' },
      });
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('open', () => {
        ws.close();
        resolve(101);
      });
      ws.on('error', (err) => reject(err));
    });
    expect(status).toBe(403);
  });
});
