// Signed webhook regrades: GitHub and Standard Webhooks signatures, replays, stale timestamps, bad
// signatures, scope, rotation, revocation, push events and the per-hook rate limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agents, setup, type Harness } from './helpers.ts';
import { sign as signGithub } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';

let h: Harness;
let as: Awaited<ReturnType<typeof agents>>;

beforeAll(async () => {
  h = await setup({ WEBHOOK_RATE_LIMIT_PER_MINUTE: '8' });
  as = await agents(h);
});
afterAll(async () => {
  await h?.close();
});

type Created = {
  createWebhook: { secret: string; webhook: { id: string; url: string; activeSecrets: number } };
};
async function createHook(input: Record<string, unknown> = { name: 'ci', scopeKind: 'ALL' }) {
  const res = await as.admin.gql<Created>(
    'mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { secret webhook { id url activeSecrets } } }',
    { i: input },
  );
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return {
    id: res.data.createWebhook.webhook.id,
    secret: res.data.createWebhook.secret,
    url: res.data.createWebhook.webhook.url,
  };
}

async function github(
  hookId: string,
  secret: string,
  body: unknown,
  delivery: string,
  extra: Record<string, string> = {},
) {
  const raw = JSON.stringify(body);
  return h.app.inject({
    method: 'POST',
    url: `/webhooks/regrade/${hookId}`,
    payload: raw,
    headers: {
      'content-type': 'application/json',
      'x-github-delivery': delivery,
      'x-hub-signature-256': await signGithub(secret, raw),
      ...extra,
    },
  });
}

function standard(
  hookId: string,
  secret: string,
  body: unknown,
  id: string,
  ts = Math.floor(Date.now() / 1000),
  sign = secret,
) {
  const raw = JSON.stringify(body);
  return h.app.inject({
    method: 'POST',
    url: `/webhooks/regrade/${hookId}`,
    payload: raw,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(ts),
      'webhook-signature': new Webhook(sign).sign(id, new Date(ts * 1000), raw),
    },
  });
}

const cancelActive = () =>
  h.db.gradingRun.updateMany({
    where: { status: { in: ['QUEUED', 'RUNNING'] } },
    data: { status: 'CANCELLED' },
  });
const lastLog = async (hookId: string) =>
  (await h.db.webhookDelivery.findFirst({ where: { webhookId: hookId }, orderBy: { receivedAt: 'desc' } }))!;

describe('webhook management', () => {
  it('shows the secret once and stores it encrypted', async () => {
    const hook = await createHook();
    const row = await h.db.webhookSecret.findFirstOrThrow({ where: { webhookId: hook.id } });
    expect({
      prefix: hook.secret.startsWith('whsec_'),
      plaintextStored: Buffer.from(row.ciphertext).toString('utf8').includes(hook.secret.slice(6)),
    }).toEqual({
      prefix: true,
      plaintextStored: false,
    });
  });
  it('lists hooks without secrets', async () => {
    const res = await as.admin.gql<{ webhooks: Record<string, unknown>[] }>(
      '{ webhooks { id url activeSecrets } }',
    );
    expect(
      res.data?.webhooks.every((w) => !('secret' in w) && String(w.url).includes('/webhooks/regrade/')),
    ).toBe(true);
  });
});

describe('deliveries', () => {
  it('a good GitHub signature regrades the named students (202 with run ids)', async () => {
    await cancelActive();
    const hook = await createHook();
    const res = await github(
      hook.id,
      hook.secret,
      { lab: h.labId, namespaces: ['ann', 'bob'], disruptive: false },
      'gh-1',
    );
    const body = res.json() as { runIds: string[] };
    const runs = await h.db.gradingRun.findMany({ where: { id: { in: body.runIds } } });
    expect({
      status: res.statusCode,
      ns: runs.map((r) => r.namespace).sort(),
      trigger: [...new Set(runs.map((r) => r.trigger))],
    }).toEqual({
      status: 202,
      ns: ['ann', 'bob'],
      trigger: ['WEBHOOK'],
    });
  });

  it('a good Standard Webhooks signature regrades everyone for "all"', async () => {
    await cancelActive();
    const hook = await createHook();
    const res = await standard(
      hook.id,
      hook.secret,
      { lab: h.labId, namespaces: 'all', disruptive: true },
      'msg_1',
    );
    expect({ status: res.statusCode, runs: (res.json() as { runIds: string[] }).runIds.length }).toEqual({
      status: 202,
      runs: 2,
    });
  });

  it('a replayed delivery id answers 200 with the original run ids and makes no new run', async () => {
    await cancelActive();
    const hook = await createHook();
    const first = (
      await standard(hook.id, hook.secret, { lab: h.labId, namespaces: ['ann'] }, 'msg_replay')
    ).json() as { runIds: string[] };
    await cancelActive(); // Without de-duplication, the replay would now create a new run.
    const before = await h.db.gradingRun.count();
    const replay = await standard(hook.id, hook.secret, { lab: h.labId, namespaces: ['ann'] }, 'msg_replay');
    expect({
      status: replay.statusCode,
      body: replay.json(),
      newRuns: (await h.db.gradingRun.count()) - before,
    }).toEqual({
      status: 200,
      body: { deliveryId: 'msg_replay', runIds: first.runIds, duplicate: true },
      newRuns: 0,
    });
  });

  it('logs the replay as a duplicate', async () => {
    const row = await h.db.webhookDelivery.findFirstOrThrow({ where: { outcome: 'duplicate' } });
    expect(row.reason).toMatch(/msg_replay/);
  });

  it('a stale timestamp is refused (400) and logged', async () => {
    const hook = await createHook();
    const res = await standard(
      hook.id,
      hook.secret,
      { lab: h.labId, namespaces: ['ann'] },
      'msg_stale',
      Math.floor(Date.now() / 1000) - 301,
    );
    const log = await lastLog(hook.id);
    expect({ status: res.statusCode, outcome: log.outcome, reason: /stale/.test(log.reason ?? '') }).toEqual({
      status: 400,
      outcome: 'rejected',
      reason: true,
    });
  });

  it('a bad signature is refused (401) and logged, and does not claim the delivery id', async () => {
    const hook = await createHook();
    const forged = await standard(
      hook.id,
      hook.secret,
      { lab: h.labId, namespaces: ['ann'] },
      'msg_x',
      undefined,
      'whsec_' + Buffer.alloc(32, 1).toString('base64'),
    );
    const log = await lastLog(hook.id);
    await cancelActive();
    const genuine = await standard(hook.id, hook.secret, { lab: h.labId, namespaces: ['ann'] }, 'msg_x');
    expect({
      forged: forged.statusCode,
      outcome: log.outcome,
      reason: log.reason,
      genuine: genuine.statusCode,
    }).toEqual({
      forged: 401,
      outcome: 'rejected',
      reason: 'bad signature',
      genuine: 202,
    });
  });

  it('a bad GitHub signature is refused (401)', async () => {
    const hook = await createHook();
    const res = await github(hook.id, 'not-the-secret', { lab: h.labId, namespaces: ['ann'] }, 'gh-bad');
    expect(res.statusCode).toBe(401);
  });

  it('a body the signature does not cover is refused (tampering)', async () => {
    const hook = await createHook();
    const raw = JSON.stringify({ lab: h.labId, namespaces: ['ann'] });
    const res = await h.app.inject({
      method: 'POST',
      url: `/webhooks/regrade/${hook.id}`,
      payload: JSON.stringify({ lab: h.labId, namespaces: 'all' }),
      headers: {
        'content-type': 'application/json',
        'x-github-delivery': 'gh-t',
        'x-hub-signature-256': await signGithub(hook.secret, raw),
      },
    });
    expect(res.statusCode).toBe(401);
  });

  it('a bad body is refused (400) with what was expected', async () => {
    const hook = await createHook();
    const res = await github(
      hook.id,
      hook.secret,
      { lab: h.labId, namespaces: ['Not_A_Namespace'] },
      'gh-body',
    );
    expect({
      status: res.statusCode,
      msg: /namespaces/.test((res.json() as { error: { message: string } }).error.message),
    }).toEqual({ status: 400, msg: true });
  });

  it('a namespace outside a NAMESPACES hook is refused (403) and logged', async () => {
    const hook = await createHook({ name: 'ann-only', scopeKind: 'NAMESPACES', namespaces: ['ann'] });
    const res = await github(hook.id, hook.secret, { lab: h.labId, namespaces: ['bob'] }, 'gh-scope');
    const log = await lastLog(hook.id);
    expect({ status: res.statusCode, reason: /out of scope/.test(log.reason ?? '') }).toEqual({
      status: 403,
      reason: true,
    });
  });

  it('a lab outside a LABS hook is refused (403)', async () => {
    const hook = await createHook({ name: 'pv-only', scopeKind: 'LABS', labs: ['pv-claimref'] });
    const res = await github(hook.id, hook.secret, { lab: h.labId, namespaces: 'all' }, 'gh-lab');
    expect(res.statusCode).toBe(403);
  });

  it('a GitHub push regrades the student whose namespace is the repository name', async () => {
    await cancelActive();
    const hook = await createHook({ name: 'pushes', scopeKind: 'LABS', labs: [h.labId] });
    const res = await github(
      hook.id,
      hook.secret,
      { ref: 'refs/heads/main', repository: { name: 'bob' } },
      'gh-push',
      { 'x-github-event': 'push' },
    );
    const runs = await h.db.gradingRun.findMany({
      where: { id: { in: (res.json() as { runIds: string[] }).runIds } },
    });
    expect({ status: res.statusCode, ns: runs.map((r) => `${r.namespace}/${r.labId}`) }).toEqual({
      status: 202,
      ns: [`bob/${h.labId}`],
    });
  });

  it('an unknown or revoked hook answers 404', async () => {
    const hook = await createHook();
    await as.admin.gql('mutation($id: ID!) { revokeWebhook(id: $id) { active } }', { id: hook.id });
    const revoked = await github(hook.id, hook.secret, { lab: h.labId, namespaces: 'all' }, 'gh-r');
    const unknown = await github('no-such-hook', hook.secret, { lab: h.labId, namespaces: 'all' }, 'gh-u');
    expect([revoked.statusCode, unknown.statusCode]).toEqual([404, 404]);
  });

  it('after a rotation both the old and the new secret verify', async () => {
    await cancelActive();
    const hook = await createHook();
    const rotated = await as.admin.gql<{
      rotateWebhookSecret: { secret: string; webhook: { activeSecrets: number } };
    }>('mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret webhook { activeSecrets } } }', {
      id: hook.id,
    });
    const fresh = rotated.data!.rotateWebhookSecret.secret;
    const oldOk = await standard(hook.id, hook.secret, { lab: h.labId, namespaces: ['ann'] }, 'rot-1');
    const newOk = await standard(hook.id, fresh, { lab: h.labId, namespaces: ['ann'] }, 'rot-2');
    expect({
      n: rotated.data!.rotateWebhookSecret.webhook.activeSecrets,
      old: oldOk.statusCode,
      new: newOk.statusCode,
    }).toEqual({ n: 2, old: 202, new: 202 });
  });

  it('an old secret stops verifying once its grace period is over', async () => {
    const hook = await createHook();
    await as.admin.gql('mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }', { id: hook.id });
    await h.db.webhookSecret.updateMany({
      where: { webhookId: hook.id, expiresAt: { not: null } },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const res = await standard(hook.id, hook.secret, { lab: h.labId, namespaces: ['ann'] }, 'rot-3');
    expect(res.statusCode).toBe(401);
  });

  it('"retire the previous secret now" ends the old secret at once and keeps the new one', async () => {
    await cancelActive();
    const hook = await createHook();
    const rotated = await as.admin.gql<{ rotateWebhookSecret: { secret: string } }>(
      'mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }',
      { id: hook.id },
    );
    const fresh = rotated.data!.rotateWebhookSecret.secret;
    const retired = await as.admin.gql<{ retirePreviousWebhookSecrets: { activeSecrets: number } }>(
      'mutation($id: ID!) { retirePreviousWebhookSecrets(id: $id) { activeSecrets } }',
      { id: hook.id },
    );
    const old = await standard(hook.id, hook.secret, { lab: h.labId, namespaces: ['ann'] }, 'retire-old');
    const now = await standard(hook.id, fresh, { lab: h.labId, namespaces: ['ann'] }, 'retire-new');
    const audited = await h.db.auditEntry.count({
      where: { action: 'webhook.retire-previous', subject: `webhook:${hook.id}` },
    });
    expect({
      active: retired.data?.retirePreviousWebhookSecrets.activeSecrets,
      old: old.statusCode,
      new: now.statusCode,
      audited,
    }).toEqual({ active: 1, old: 401, new: 202, audited: 1 });
  });

  it('deliveries are rate-limited per hook (429)', async () => {
    const hook = await createHook();
    const codes: number[] = [];
    for (let i = 0; i < 9; i++)
      codes.push(
        (await github(hook.id, hook.secret, { lab: h.labId, namespaces: ['ann'] }, `rl-${i}`)).statusCode,
      );
    const other = await createHook();
    const otherCode = (
      await github(other.id, other.secret, { lab: h.labId, namespaces: ['ann'] }, 'rl-other')
    ).statusCode;
    const logged = await lastLog(hook.id);
    expect({
      last: codes.at(-1),
      earlier429: codes.slice(0, 8).includes(429),
      other: otherCode,
      logged: logged.reason,
    }).toEqual({
      last: 429,
      earlier429: false,
      other: 202,
      logged: expect.stringMatching(/rate limited.*\(429\)/),
    });
  });

  it('a GitHub-signed body re-posted under a fresh X-GitHub-Delivery is a duplicate with the original runs', async () => {
    await cancelActive();
    const hook = await createHook();
    const body = { lab: h.labId, namespaces: ['ann'] };
    const first = (await github(hook.id, hook.secret, body, 'gh-orig')).json() as { runIds: string[] };
    await cancelActive(); // Without de-duplication, the replay would now create a new run.
    const before = await h.db.gradingRun.count();
    const replays = [];
    for (const id of ['gh-fresh-1', 'gh-fresh-2']) replays.push(await github(hook.id, hook.secret, body, id));
    expect({
      statuses: replays.map((r) => r.statusCode),
      bodies: replays.map((r) => r.json()),
      newRuns: (await h.db.gradingRun.count()) - before,
      logged: (await lastLog(hook.id)).outcome,
    }).toEqual({
      statuses: [200, 200],
      bodies: [
        { deliveryId: 'gh-fresh-1', runIds: first.runIds, duplicate: true },
        { deliveryId: 'gh-fresh-2', runIds: first.runIds, duplicate: true },
      ],
      newRuns: 0,
      logged: 'duplicate',
    });
  });

  it('the same GitHub-signed body is accepted again once the tolerance window has passed', async () => {
    await cancelActive();
    const hook = await createHook();
    const body = { lab: h.labId, namespaces: ['bob'] };
    await github(hook.id, hook.secret, body, 'gh-old');
    await cancelActive();
    const past = new Date(Date.now() - (h.config.webhookToleranceSeconds + 60) * 1000);
    await h.db.webhookDelivery.updateMany({
      where: { webhookId: hook.id, deliveryId: { startsWith: 'github-body-sha256:' } },
      data: { receivedAt: past },
    });
    expect((await github(hook.id, hook.secret, body, 'gh-later')).statusCode).toBe(202);
  });

  it('the delivery log shows deliveries, not the body claims behind replay detection', async () => {
    const res = await as.admin.gql<{ webhooks: { deliveries: { deliveryId: string; outcome: string }[] }[] }>(
      '{ webhooks { deliveries(first: 200) { deliveryId outcome } } }',
    );
    const all = res.data!.webhooks.flatMap((w) => w.deliveries);
    expect({
      some: all.length > 0,
      claims: all.filter((d) => d.deliveryId.startsWith('github-body-sha256:')),
    }).toEqual({ some: true, claims: [] });
  });

  it('a body that does not say "disruptive" (and a push) grades without the disruptive check', async () => {
    await cancelActive();
    const lab = await h.db.lab.findUniqueOrThrow({ where: { id: h.labId } });
    const hook = await createHook({ name: 'nd', scopeKind: 'LABS', labs: [h.labId] });
    const generic = (
      await standard(hook.id, hook.secret, { lab: h.labId, namespaces: ['ann'] }, 'nd-1')
    ).json() as { runIds: string[] };
    await cancelActive();
    const push = (
      await github(hook.id, hook.secret, { ref: 'refs/heads/main', repository: { name: 'bob' } }, 'nd-push', {
        'x-github-event': 'push',
      })
    ).json() as { runIds: string[] };
    const runs = await h.db.gradingRun.findMany({
      where: { id: { in: [...generic.runIds, ...push.runIds] } },
    });
    expect({
      labAllows: lab.disruptiveEnabled,
      runs: runs.length,
      disruptive: runs.map((r) => r.disruptive),
    }).toEqual({ labAllows: true, runs: 2, disruptive: [false, false] });
  });

  it('unsigned junk does not drain the hook: a signed delivery after it is accepted, the junk gets 429 per client', async () => {
    await cancelActive();
    const hook = await createHook();
    const codes: number[] = [];
    for (let i = 0; i < 9; i++) {
      const res = await h.app.inject({
        method: 'POST',
        url: `/webhooks/regrade/${hook.id}`,
        payload: '{}',
        headers: { 'content-type': 'application/json', 'x-github-delivery': `junk-${i}` },
      });
      codes.push(res.statusCode);
    }
    const junkLog = await lastLog(hook.id);
    const signed = await github(hook.id, hook.secret, { lab: h.labId, namespaces: ['ann'] }, 'after-junk');
    expect({ junk: codes, junkLogged: junkLog.reason, signed: signed.statusCode }).toEqual({
      junk: [401, 401, 401, 401, 401, 401, 401, 401, 429],
      junkLogged: expect.stringMatching(/rate limited.*\(429\)/),
      signed: 202,
    });
  });

  it('a body over the size limit is refused (413) and logged', async () => {
    const hook = await createHook();
    const raw = JSON.stringify({ lab: h.labId, namespaces: ['ann'], pad: 'x'.repeat(1024 * 1024) });
    const res = await h.app.inject({
      method: 'POST',
      url: `/webhooks/regrade/${hook.id}`,
      payload: raw,
      headers: {
        'content-type': 'application/json',
        'x-github-delivery': 'too-big',
        'x-hub-signature-256': await signGithub(hook.secret, raw),
      },
    });
    const row = await lastLog(hook.id);
    expect({
      status: res.statusCode,
      outcome: row.outcome,
      reason: row.reason,
      id: row.deliveryId.startsWith('too-big#rejected-'),
    }).toEqual({
      status: 413,
      outcome: 'rejected',
      reason: expect.stringMatching(/413/),
      id: true,
    });
  });

  it('every delivery and webhook change is in the audit log', async () => {
    const res = await as.admin.gql<{ auditLog: { action: string }[] }>(
      '{ auditLog(first: 1000) { action } }',
    );
    const actions = new Set(res.data?.auditLog.map((a) => a.action));
    expect(
      [
        'webhook.create',
        'webhook.rotate',
        'webhook.revoke',
        'webhook.delivery.accepted',
        'webhook.delivery.rejected',
        'webhook.delivery.duplicate',
      ].filter((a) => !actions.has(a)),
    ).toEqual([]);
  });

  it("admins see each hook's deliveries with outcomes", async () => {
    const res = await as.admin.gql<{ webhooks: { deliveries: { outcome: string }[] }[] }>(
      '{ webhooks { deliveries(first: 10) { outcome reason runIds } } }',
    );
    const outcomes = new Set(res.data?.webhooks.flatMap((w) => w.deliveries.map((d) => d.outcome)));
    expect(['accepted', 'rejected', 'duplicate'].every((o) => outcomes.has(o))).toBe(true);
  });
});
