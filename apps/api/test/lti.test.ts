// LTI 1.3 against a local platform that follows the IMS specifications (Security Framework, Core,
// AGS): OIDC login initiation, a signed launch that signs the student in and lands on the lab
// (replays, forged signatures and students off the roster refused), and a finished run posting its
// counted score to the platform's AGS line item with a token from the platform's token endpoint
// (client_credentials with the tool's signed client assertion, checked against /lti/jwks).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@kubegrade/testkit';
import {
  createRemoteJWKSet,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
import { pino } from 'pino';
import { beginAttempt, finishRun } from '@kubegrade/db';
import { startEventDelivery, type EventDelivery } from '@kubegrade/worker';
import { agents, setup, type Harness } from './helpers.ts';

const CLIENT_ID = 'kubegrade-tool';
const DEPLOYMENT = 'deployment-1';
const LAB = 'redis-exist-pvc';

/** A minimal LTI 1.3 platform: JWKS, token endpoint (private_key_jwt), AGS scores endpoint. */
class Platform {
  server: Server;
  url = '';
  toolJwksUrl = '';
  keys!: { privateKey: CryptoKey; publicKey: CryptoKey; jwk: JWK };
  issued = new Set<string>();
  tokenRequests: { scope: string; assertionOk: boolean; error?: string }[] = [];
  scores: {
    headers: IncomingHttpHeaders;
    path: string;
    body: Record<string, unknown>;
    authorized: boolean;
  }[] = [];
  constructor() {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => void this.handle(req.url ?? '/', req.headers, raw, res));
    });
  }
  async start(): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    this.keys = {
      privateKey,
      publicKey,
      jwk: { ...(await exportJWK(publicKey)), kid: 'platform-1', alg: 'RS256', use: 'sig' },
    };
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  private async handle(
    path: string,
    headers: IncomingHttpHeaders,
    raw: string,
    res: import('node:http').ServerResponse,
  ) {
    const json = (code: number, body: unknown) =>
      res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (path === '/jwks') return json(200, { keys: [this.keys.jwk] });
    if (path === '/token') {
      const form = new URLSearchParams(raw);
      try {
        if (form.get('grant_type') !== 'client_credentials') throw new Error('grant_type');
        if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
          throw new Error('assertion type');
        const { payload } = await jwtVerify(
          form.get('client_assertion') ?? '',
          createRemoteJWKSet(new URL(this.toolJwksUrl)),
          { issuer: CLIENT_ID, subject: CLIENT_ID, audience: `${this.url}/token` },
        );
        if (!payload.jti) throw new Error('jti');
        const token = `tok-${this.issued.size + 1}`;
        this.issued.add(token);
        this.tokenRequests.push({ scope: form.get('scope') ?? '', assertionOk: true });
        return json(200, {
          access_token: token,
          token_type: 'Bearer',
          expires_in: 3600,
          scope: form.get('scope'),
        });
      } catch (err) {
        this.tokenRequests.push({
          scope: form.get('scope') ?? '',
          assertionOk: false,
          error: (err as Error).message,
        });
        return json(400, { error: 'invalid_client' });
      }
    }
    if (path.startsWith('/nrps')) {
      const authorized = this.issued.has((headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!authorized) return json(401, { error: 'unauthorized' });
      const learner = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';
      if (path === '/nrps') {
        res.setHeader('link', `<${this.url}/nrps?page=2>; rel="next"`);
        return json(200, {
          id: `${this.url}/nrps`,
          members: [
            {
              user_id: 'moodle-user-17',
              status: 'Active',
              name: 'Ann Li',
              email: 'ann@example.edu',
              lis_person_sourcedid: 's1',
              roles: [learner],
            },
            {
              user_id: 'moodle-teacher',
              status: 'Active',
              name: 'Teacher',
              email: 'teacher@example.edu',
              roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'],
            },
          ],
        });
      }
      return json(200, {
        members: [
          {
            user_id: 'moodle-user-31',
            status: 'Active',
            given_name: 'Carol',
            family_name: 'Xu',
            email: 'Carol.Xu@example.edu',
            lis_person_sourcedid: 's3',
            roles: [learner],
          },
          {
            user_id: 'moodle-user-40',
            status: 'Inactive',
            name: 'Dave',
            email: 'dave@example.edu',
            roles: [learner],
          },
        ],
      });
    }
    if (/^\/api\/lineitems\/\d+\/scores$/.test(path)) {
      const authorized = this.issued.has((headers.authorization ?? '').replace(/^Bearer /, ''));
      this.scores.push({ headers, path, body: JSON.parse(raw) as Record<string, unknown>, authorized });
      return res.writeHead(authorized ? 200 : 401).end();
    }
    return json(404, { error: 'not found' });
  }
  /** The id_token a platform posts after its OIDC authorization step. */
  async idToken(
    nonce: string,
    claims: Record<string, unknown> = {},
    key: CryptoKey = this.keys.privateKey,
  ): Promise<string> {
    return new SignJWT({
      nonce,
      email: 'ann@example.edu',
      name: 'Ann Li',
      'https://purl.imsglobal.org/spec/lti/claim/message_type': 'LtiResourceLinkRequest',
      'https://purl.imsglobal.org/spec/lti/claim/version': '1.3.0',
      'https://purl.imsglobal.org/spec/lti/claim/deployment_id': DEPLOYMENT,
      'https://purl.imsglobal.org/spec/lti/claim/target_link_uri': 'http://tool.example/lti/launch',
      'https://purl.imsglobal.org/spec/lti/claim/resource_link': { id: 'rl-1', title: 'Redis lab' },
      'https://purl.imsglobal.org/spec/lti/claim/roles': [
        'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
      ],
      'https://purl.imsglobal.org/spec/lti/claim/custom': { lab: LAB },
      'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice': {
        context_memberships_url: `${this.url}/nrps`,
        service_versions: ['2.0'],
      },
      'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint': {
        scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/score'],
        lineitem: `${this.url}/api/lineitems/9`,
      },
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'platform-1' })
      .setIssuer(this.url)
      .setAudience(CLIENT_ID)
      .setSubject('moodle-user-17')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);
  }
}

let h: Harness;
let as: Awaited<ReturnType<typeof agents>>;
let delivery: EventDelivery | null = null;
const platform = new Platform();

beforeAll(async () => {
  h = await setup();
  as = await agents(h);
  await platform.start();
  const api = await h.app.listen({ port: 0, host: '127.0.0.1' });
  platform.toolJwksUrl = `${api}/lti/jwks`;
  const res = await as.admin.gql(
    'mutation($i: CreateLtiPlatformInput!) { createLtiPlatform(input: $i) { id toolLaunchUrl } }',
    {
      i: {
        courseSlug: 'k8s-storage',
        name: 'Moodle',
        issuer: platform.url,
        clientId: CLIENT_ID,
        deploymentId: DEPLOYMENT,
        authLoginUrl: `${platform.url}/auth`,
        authTokenUrl: `${platform.url}/token`,
        jwksUrl: `${platform.url}/jwks`,
      },
    },
  );
  if (res.errors) throw new Error(JSON.stringify(res.errors));
});
afterAll(async () => {
  await delivery?.stop();
  await h?.close();
  platform.server.close();
});

/** Step 1: the platform's login initiation; answers the authorization request's parameters. */
async function initiate(): Promise<URLSearchParams> {
  const q = new URLSearchParams({
    iss: platform.url,
    login_hint: 'moodle-user-17',
    target_link_uri: 'http://tool.example/lti/launch',
    client_id: CLIENT_ID,
    lti_message_hint: 'hint-1',
  });
  const res = await h.app.inject({ method: 'GET', url: `/lti/login?${q}` });
  if (res.statusCode !== 302) throw new Error(`login: ${res.statusCode} ${res.body}`);
  const to = new URL(res.headers.location as string);
  expect(`${to.origin}${to.pathname}`).toBe(`${platform.url}/auth`);
  return to.searchParams;
}

/** Step 2: the platform's form_post of the id_token to the tool. */
function launch(idToken: string, state: string) {
  return h.app.inject({
    method: 'POST',
    url: '/lti/launch',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ id_token: idToken, state }).toString(),
  });
}

describe('LTI 1.3 launch', () => {
  it('login initiation asks the platform for an id_token by form_post, with state and nonce', async () => {
    const auth = await initiate();
    expect({
      scope: auth.get('scope'),
      response_type: auth.get('response_type'),
      response_mode: auth.get('response_mode'),
      prompt: auth.get('prompt'),
      client_id: auth.get('client_id'),
      redirect_uri: auth.get('redirect_uri'),
      login_hint: auth.get('login_hint'),
      lti_message_hint: auth.get('lti_message_hint'),
      stateAndNonce: (auth.get('state')?.length ?? 0) > 20 && (auth.get('nonce')?.length ?? 0) > 20,
    }).toEqual({
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: CLIENT_ID,
      redirect_uri: `${h.config.apiPublicUrl}/lti/launch`,
      login_hint: 'moodle-user-17',
      lti_message_hint: 'hint-1',
      stateAndNonce: true,
    });
  });

  it('a launch signs the student in and lands on the lab; the same launch again is refused', async () => {
    const auth = await initiate();
    const token = await platform.idToken(auth.get('nonce')!);
    const res = await launch(token, auth.get('state')!);
    const cookie = String(res.headers['set-cookie']).split(';')[0]!;
    const me = await h.app.inject({ method: 'GET', url: '/auth/me', headers: { cookie } });
    const again = await launch(token, auth.get('state')!);
    const link = await h.db.ltiGradeLink.findFirst({ where: { labId: LAB } });
    expect({
      status: res.statusCode,
      location: res.headers.location,
      me: (me.json() as { user: { email: string } | null }).user?.email,
      again: again.statusCode,
      lineItem: link?.lineItemUrl,
    }).toEqual({
      status: 303,
      location: `${h.config.publicUrl}/labs#lab-${LAB}`,
      me: 'ann@example.edu',
      again: 401,
      lineItem: `${platform.url}/api/lineitems/9`,
    });
  });

  it('refuses a forged signature, a wrong nonce, an unknown deployment and a student off the roster', async () => {
    const other = await generateKeyPair('RS256');
    const tries = {
      forged: async (n: string) => platform.idToken(n, {}, other.privateKey),
      nonce: async () => platform.idToken('not-the-nonce'),
      deployment: async (n: string) =>
        platform.idToken(n, { 'https://purl.imsglobal.org/spec/lti/claim/deployment_id': 'other' }),
      offRoster: async (n: string) =>
        new SignJWT({ ...(await jwtPayload(n)), email: 'stranger@example.edu' })
          .setProtectedHeader({ alg: 'RS256', kid: 'platform-1' })
          .setIssuer(platform.url)
          .setAudience(CLIENT_ID)
          .setSubject('moodle-user-99')
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(platform.keys.privateKey),
    };
    const out: Record<string, number> = {};
    for (const [name, make] of Object.entries(tries)) {
      const auth = await initiate();
      out[name] = (await launch(await make(auth.get('nonce')!), auth.get('state')!)).statusCode;
    }
    expect(out).toEqual({ forged: 401, nonce: 401, deployment: 403, offRoster: 403 });
  });
});

/** The claims of a good id_token (to alter one of them). */
async function jwtPayload(nonce: string): Promise<Record<string, unknown>> {
  const token = await platform.idToken(nonce);
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

describe('LTI Assignment and Grade Services', () => {
  it("a finished run posts the student's counted score to the line item, with a token from the platform", async () => {
    delivery = await startEventDelivery({
      databaseUrl: h.testDb.url,
      key: h.config.webhookKey,
      logger: pino({ level: 'silent' }),
      pollingIntervalSeconds: 0.5,
      concurrency: 1,
    });
    await h.db.gradingRun.updateMany({
      where: { status: { in: ['QUEUED', 'RUNNING'] } },
      data: { status: 'CANCELLED' },
    });
    const res = await as.admin.gql<{ regrade: { runs: { id: string }[] } }>(
      'mutation($l: ID!) { regrade(labId: $l, namespaces: ["ann"], disruptive: false) { runs { id } } }',
      { l: LAB },
    );
    const runId = res.data!.regrade.runs[0]!.id;
    const a = await beginAttempt(h.db, runId, `job-${runId}`, [{ id: 'c1', position: 0, maxPoints: 10 }], {
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
    // The platform answers before the worker writes down that it did: wait for both.
    const score = await until('the platform to receive the score', () => platform.scores[0], {
      timeoutMs: 60_000,
    });
    const push = await until(
      'the passback to be logged as answered',
      async () => {
        const row = await h.db.ltiScorePush.findFirst({ where: { runId } });
        return row && row.status !== 'pending' ? row : null;
      },
      { timeoutMs: 60_000 },
    );
    expect({
      path: score.path,
      type: score.headers['content-type'],
      authorized: score.authorized,
      token: platform.tokenRequests.map((t) => [t.scope, t.assertionOk]),
      body: { ...score.body, timestamp: typeof score.body.timestamp },
      logged: { status: push?.status, scoreGiven: push?.scoreGiven, statusCode: push?.statusCode },
    }).toEqual({
      path: '/api/lineitems/9/scores',
      type: 'application/vnd.ims.lis.v1.score+json',
      authorized: true,
      token: [['https://purl.imsglobal.org/spec/lti-ags/scope/score', true]],
      body: {
        userId: 'moodle-user-17',
        scoreGiven: 10,
        scoreMaximum: 10,
        activityProgress: 'Completed',
        gradingProgress: 'FullyGraded',
        timestamp: 'string',
      },
      logged: { status: 'sent', scoreGiven: 10, statusCode: 200 },
    });
  });
});

describe('LTI Names and Role Provisioning and the passback log', () => {
  it('previews the LMS roster (active learners only, every page), then imports it', async () => {
    const platformId = (
      await as.admin.gql<{ ltiPlatforms: { id: string; membershipsUrl: string | null }[] }>(
        '{ ltiPlatforms { id membershipsUrl } }',
      )
    ).data!.ltiPlatforms[0]!;
    type Result = {
      syncLtiRoster: {
        dryRun: boolean;
        created: number;
        unchanged: number;
        changes: { action: string; email: string; namespace: string; studentId: string | null }[];
        errors: { message: string }[];
      };
    };
    const doc =
      'mutation($p: ID!, $d: Boolean!) { syncLtiRoster(platformId: $p, dryRun: $d) { dryRun created unchanged changes { action email namespace studentId } errors { message } } }';
    const preview = await as.admin.gql<Result>(doc, { p: platformId.id, d: true });
    const before = await h.db.user.count({ where: { email: 'carol.xu@example.edu' } });
    const applied = await as.admin.gql<Result>(doc, { p: platformId.id, d: false });
    const carol = await h.db.enrollment.findFirst({ where: { user: { email: 'carol.xu@example.edu' } } });
    const bound = await h.db.ltiIdentity.findFirst({
      where: { subject: 'moodle-user-31' },
      include: { platform: true },
    });
    expect({
      url: platformId.membershipsUrl,
      preview: preview.data?.syncLtiRoster.changes.map((c) => [c.action, c.email, c.namespace, c.studentId]),
      previewWrote: before,
      applied: {
        created: applied.data?.syncLtiRoster.created,
        unchanged: applied.data?.syncLtiRoster.unchanged,
      },
      carol: carol?.namespace,
      bound: bound?.platform.id === platformId.id,
    }).toEqual({
      url: `${platform.url}/nrps`,
      preview: [
        ['unchanged', 'ann@example.edu', 'ann', 's1'],
        ['create', 'carol.xu@example.edu', 'carol-xu', 's3'],
      ],
      previewWrote: 0,
      applied: { created: 1, unchanged: 1 },
      carol: 'carol-xu',
      bound: true,
    });
  });

  it('"push now" sends the counted score again; the passback log lists every send', async () => {
    const ann = h.seeded.students.find((s) => s.namespace === 'ann')!.enrollmentId;
    const sentBefore = platform.scores.length;
    const pushed = await as.instructor.gql<{ pushLtiScore: { status: string }[] }>(
      'mutation($e: ID!, $l: ID!) { pushLtiScore(enrollmentId: $e, labId: $l) { status } }',
      { e: ann, l: LAB },
    );
    await until('the platform to receive the score again', () => platform.scores.length > sentBefore, {
      timeoutMs: 60_000,
    });
    const log = await until(
      'every passback to be logged as sent',
      async () => {
        const rows = (
          await as.instructor.gql<{ ltiPassbacks: { status: string; scoreGiven: number | null }[] }>(
            'query($e: ID!, $l: ID!) { ltiPassbacks(enrollmentId: $e, labId: $l) { status scoreGiven } }',
            { e: ann, l: LAB },
          )
        ).data!.ltiPassbacks;
        return rows.length === 2 && rows.every((p) => p.status === 'sent') ? rows : null;
      },
      { timeoutMs: 60_000 },
    );
    const bob = h.seeded.students.find((s) => s.namespace === 'bob')!.enrollmentId;
    const none = await as.instructor.gql(
      'mutation($e: ID!, $l: ID!) { pushLtiScore(enrollmentId: $e, labId: $l) { status } }',
      { e: bob, l: LAB },
    );
    expect({
      queued: pushed.data?.pushLtiScore.map((p) => p.status),
      sentAgain: platform.scores.length - sentBefore,
      log,
      bob: none.errors?.[0]?.extensions?.code,
    }).toEqual({
      queued: ['pending'],
      sentAgain: 1,
      log: [
        { status: 'sent', scoreGiven: 10 },
        { status: 'sent', scoreGiven: 10 },
      ],
      bob: 'NOT_FOUND',
    });
  });
});
