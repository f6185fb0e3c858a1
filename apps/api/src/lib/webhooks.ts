// Webhook endpoints: per-hook secrets (encrypted at rest, several valid during a rotation), signed
// deliveries (GitHub X-Hub-Signature-256 or Standard Webhooks), replay de-duplication per hook by
// delivery id (and, for GitHub's signature, which does not cover the id, by a digest of the signed
// body), rate limits (verified deliveries per hook, unverified ones per client), scope checks and a
// log row for every delivery, refused or not.
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { PrismaClient, Webhook } from '@kubegrade/db';
import type { Config } from '../config.ts';
import { newWebhookSecret, seal, unseal } from './crypto.ts';
import { verifyGithub, verifyStandard } from './signatures.ts';
import { audit } from './audit.ts';
import { submitRun } from './runs.ts';
import { createRegradeBatch } from '@kubegrade/db';
import { NAMESPACE_RE } from './roster.ts';
import type { SessionUser } from '../types.ts';

/** How long a rotated-out secret keeps verifying. */
export const ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;

/** Creates a hook and its first secret; the secret is returned once and stored encrypted. */
export async function createWebhook(
  db: PrismaClient,
  key: Buffer,
  input: { name: string; scopeKind: 'ALL' | 'LABS' | 'NAMESPACES'; labs: string[]; namespaces: string[] },
  actor: SessionUser,
): Promise<{ webhook: Webhook; secret: string }> {
  const secret = newWebhookSecret();
  const webhook = await db.webhook.create({
    data: {
      name: input.name,
      scopeKind: input.scopeKind,
      labs: input.labs,
      namespaces: input.namespaces,
      createdById: actor.id,
      secrets: { create: seal(key, secret) },
    },
  });
  await audit(db, {
    actor,
    action: 'webhook.create',
    subject: `webhook:${webhook.id}`,
    after: { name: input.name, scopeKind: input.scopeKind, labs: input.labs, namespaces: input.namespaces },
  });
  return { webhook, secret };
}

/** Adds a new secret; secrets active before keep verifying for ROTATION_GRACE_MS. */
export async function rotateWebhookSecret(
  db: PrismaClient,
  key: Buffer,
  hook: Webhook,
  actor: SessionUser,
): Promise<{ webhook: Webhook; secret: string }> {
  const secret = newWebhookSecret();
  const graceUntil = new Date(Date.now() + ROTATION_GRACE_MS);
  await db.$transaction([
    db.webhookSecret.updateMany({
      where: { webhookId: hook.id, revokedAt: null, expiresAt: null },
      data: { expiresAt: graceUntil },
    }),
    db.webhookSecret.create({ data: { webhookId: hook.id, ...seal(key, secret) } }),
  ]);
  await audit(db, {
    actor,
    action: 'webhook.rotate',
    subject: `webhook:${hook.id}`,
    after: { previousSecretsValidUntil: graceUntil.toISOString() },
  });
  return { webhook: hook, secret };
}

/** Revokes every still-valid secret of the hook except the newest, now; answers how many. */
export async function retirePreviousSecrets(
  db: PrismaClient,
  hook: Webhook,
  actor: SessionUser,
): Promise<number> {
  const now = new Date();
  const newest = await db.webhookSecret.findFirst({
    where: { webhookId: hook.id, ...activeSecretWhere(now) },
    orderBy: { createdAt: 'desc' },
  });
  const { count } = newest
    ? await db.webhookSecret.updateMany({
        where: { webhookId: hook.id, id: { not: newest.id }, revokedAt: null },
        data: { revokedAt: now },
      })
    : { count: 0 };
  await audit(db, {
    actor,
    action: 'webhook.retire-previous',
    subject: `webhook:${hook.id}`,
    after: { retired: count, keptSecretCreatedAt: newest?.createdAt.toISOString() ?? null },
  });
  return count;
}

/** Revokes the hook and every secret at once. */
export async function revokeWebhook(db: PrismaClient, hook: Webhook, actor: SessionUser): Promise<Webhook> {
  const now = new Date();
  const [, updated] = await db.$transaction([
    db.webhookSecret.updateMany({ where: { webhookId: hook.id, revokedAt: null }, data: { revokedAt: now } }),
    db.webhook.update({ where: { id: hook.id }, data: { active: false, revokedAt: now } }),
  ]);
  await audit(db, { actor, action: 'webhook.revoke', subject: `webhook:${hook.id}` });
  return updated;
}

/** Secrets that currently verify deliveries. */
export function activeSecretWhere(now = new Date()) {
  return { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
}

/** The generic request body. */
export const regradeBody = z.object({
  lab: z.string().min(1),
  namespaces: z.union([
    z.literal('all'),
    z.array(z.string().regex(NAMESPACE_RE, 'not a valid namespace')).min(1),
  ]),
  // Disruptive checks delete the student's pod: only when the sender asks for them.
  disruptive: z.boolean().default(false),
});

/** The log row that claims a GitHub-signed body for the tolerance window (hidden from the delivery log). */
export const BODY_CLAIM_OUTCOME = 'body-claim';

/** A delivery's outcome as the route answers it. */
export type DeliveryOutcome =
  | { status: 202; body: { deliveryId: string; runIds: string[] } }
  | { status: 200; body: { deliveryId: string; runIds: string[]; duplicate?: true; ignored?: string } }
  | { status: 400 | 401 | 403 | 404; body: { error: { code: string; message: string } } }
  | { status: 429; body: { error: { code: string; message: string } }; retryAfterSeconds: number };

/**
 * Counts a delivery against a bucket: `verified` (per hook) or `unverified` (per hook and client).
 * Answers the seconds to wait when the bucket is over its limit, else null.
 */
export type DeliveryLimiter = (bucket: 'verified' | 'unverified') => Promise<number | null>;

/** What the route hands over: headers (lower-case) and the raw body. */
export interface DeliveryRequest {
  hookId: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The rate limits (the route passes @fastify/rate-limit buckets); none when absent. */
  limit?: DeliveryLimiter;
}

/**
 * Writes the log row (with a unique suffixed delivery id) and audit entry of a refused, duplicate
 * or ignored delivery. Also used by the route for refusals before the handler runs (413).
 */
export async function logDeliveryRefusal(
  db: PrismaClient,
  hook: Pick<Webhook, 'id' | 'name'>,
  providedId: string | undefined,
  outcome: string,
  reason: string,
  runIds: string[] = [],
): Promise<void> {
  await db.webhookDelivery.create({
    data: {
      webhookId: hook.id,
      deliveryId: `${providedId ?? 'none'}#${outcome}-${randomUUID()}`,
      outcome,
      reason,
      runIds,
    },
  });
  await audit(db, {
    actor: `webhook:${hook.name}`,
    action: `webhook.delivery.${outcome}`,
    subject: `webhook:${hook.id}`,
    reason,
    after: { deliveryId: providedId ?? null },
  });
}

/** The delivery id a GitHub-style request would claim, from the lower-case headers. */
export function providedDeliveryId(headers: DeliveryRequest['headers']): string | undefined {
  return header(headers, 'webhook-signature')
    ? header(headers, 'webhook-id')
    : header(headers, 'x-github-delivery');
}

function header(h: DeliveryRequest['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

interface Target {
  labId: string;
  namespaces: string[] | 'all';
  disruptive: boolean;
}

/** Verifies, de-duplicates, scopes and runs one delivery; every path writes a WebhookDelivery row. */
export async function handleDelivery(
  db: PrismaClient,
  config: Config,
  req: DeliveryRequest,
): Promise<DeliveryOutcome> {
  const hook = await db.webhook.findUnique({ where: { id: req.hookId } });
  const refuse = (status: 400 | 401 | 403 | 404, code: string, message: string): DeliveryOutcome => ({
    status,
    body: { error: { code, message } },
  });
  if (!hook || !hook.active || hook.revokedAt)
    return refuse(404, 'NOT_FOUND', 'no active webhook with this id');

  const standardSig = header(req.headers, 'webhook-signature');
  const githubSig = header(req.headers, 'x-hub-signature-256');
  const scheme = standardSig ? 'standard' : githubSig ? 'github' : null;
  const providedId =
    scheme === 'standard' ? header(req.headers, 'webhook-id') : header(req.headers, 'x-github-delivery');
  // Refused and duplicate rows get a unique suffix so they never occupy the sender's delivery id,
  // which a later, genuine delivery must still be able to claim.
  const logRefusal = (outcome: string, reason: string, runIds: string[] = []) =>
    logDeliveryRefusal(db, hook, providedId, outcome, reason, runIds);
  // A refusal or delivery over its bucket's limit is answered 429 (and logged) instead.
  const overLimit = async (bucket: 'verified' | 'unverified'): Promise<DeliveryOutcome | null> => {
    const wait = req.limit ? await req.limit(bucket) : null;
    if (wait === null) return null;
    const what =
      bucket === 'verified'
        ? 'signed deliveries for this webhook'
        : 'unsigned or badly signed requests from this client';
    await logRefusal('rejected', `rate limited: too many ${what} (429)`);
    return {
      status: 429,
      body: { error: { code: 'RATE_LIMITED', message: `too many ${what}; try again in ${wait} s` } },
      retryAfterSeconds: wait,
    };
  };

  if (!scheme) {
    const limited = await overLimit('unverified');
    if (limited) return limited;
    await logRefusal('rejected', 'missing signature header (X-Hub-Signature-256 or webhook-signature)');
    return refuse(
      401,
      'BAD_SIGNATURE',
      'sign the request with X-Hub-Signature-256 or the Standard Webhooks headers',
    );
  }
  if (!providedId) {
    const limited = await overLimit('unverified');
    if (limited) return limited;
    await logRefusal(
      'rejected',
      `missing delivery id header (${scheme === 'standard' ? 'webhook-id' : 'X-GitHub-Delivery'})`,
    );
    return refuse(
      400,
      'BAD_REQUEST',
      `send a delivery id in ${scheme === 'standard' ? 'webhook-id' : 'X-GitHub-Delivery'}`,
    );
  }
  const secretRows = await db.webhookSecret.findMany({
    where: { webhookId: hook.id, ...activeSecretWhere() },
  });
  const secrets = secretRows.map((s) => unseal(config.webhookKey, s));
  const timestamp = header(req.headers, 'webhook-timestamp') ?? '';
  const valid =
    scheme === 'standard'
      ? secrets.some((s) => verifyStandard(s, providedId, timestamp, req.body, standardSig ?? ''))
      : (await Promise.all(secrets.map((s) => verifyGithub(s, req.body, githubSig ?? '')))).some(Boolean);
  if (!valid) {
    const limited = await overLimit('unverified');
    if (limited) return limited;
    await logRefusal('rejected', 'bad signature');
    return refuse(401, 'BAD_SIGNATURE', 'the signature does not match any active secret of this webhook');
  }
  // Only verified deliveries count against the hook's own bucket: junk cannot drain it.
  const limited = await overLimit('verified');
  if (limited) return limited;
  if (scheme === 'standard') {
    const ts = Number(timestamp);
    if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - ts) > config.webhookToleranceSeconds) {
      await logRefusal('rejected', `stale timestamp (more than ${config.webhookToleranceSeconds} s off)`);
      return refuse(
        400,
        'STALE',
        `webhook-timestamp is more than ${config.webhookToleranceSeconds} seconds from the server's clock`,
      );
    }
  }

  const original = await db.webhookDelivery.findUnique({
    where: { webhookId_deliveryId: { webhookId: hook.id, deliveryId: providedId } },
  });
  if (original) {
    await logRefusal('duplicate', `repeat of delivery ${providedId}`, original.runIds);
    return { status: 200, body: { deliveryId: providedId, runIds: original.runIds, duplicate: true } };
  }

  let text: unknown;
  try {
    text = JSON.parse(req.body.toString('utf8'));
  } catch {
    await logRefusal('rejected', 'body is not JSON');
    return refuse(400, 'BAD_USER_INPUT', 'the body must be JSON');
  }
  const event = header(req.headers, 'x-github-event');
  let targets: Target[];
  if (scheme === 'github' && event === 'ping') {
    await logRefusal('ignored', 'ping');
    return { status: 200, body: { deliveryId: providedId, runIds: [], ignored: 'ping' } };
  } else if (scheme === 'github' && event === 'push') {
    const push = z
      .object({ ref: z.string().optional(), repository: z.object({ name: z.string() }).optional() })
      .safeParse(text);
    const ns = !push.success
      ? undefined
      : config.webhookPushNamespaceFrom === 'branch'
        ? push.data.ref?.replace(/^refs\/heads\//, '')
        : push.data.repository?.name;
    if (!ns) {
      await logRefusal(
        'rejected',
        `push event without ${config.webhookPushNamespaceFrom === 'branch' ? 'ref' : 'repository.name'}`,
      );
      return refuse(400, 'BAD_USER_INPUT', 'the push event does not name a repository/branch');
    }
    const labIds =
      hook.scopeKind === 'LABS'
        ? hook.labs
        : (await db.lab.findMany({ where: { enabled: true }, select: { id: true } })).map((l) => l.id);
    // A push says nothing about disruptive checks: non-disruptive.
    targets = labIds.map((labId) => ({ labId, namespaces: [ns.toLowerCase()], disruptive: false }));
  } else if (scheme === 'github' && event && event !== 'push') {
    await logRefusal('ignored', `event ${event} does not trigger grading`);
    return { status: 200, body: { deliveryId: providedId, runIds: [], ignored: event } };
  } else {
    const parsed = regradeBody.safeParse(text);
    if (!parsed.success) {
      const msg = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      await logRefusal('rejected', `bad body: ${msg}`);
      return refuse(
        400,
        'BAD_USER_INPUT',
        `expected {"lab": "<id>", "namespaces": [...] | "all", "disruptive": bool}: ${msg}`,
      );
    }
    targets = [
      { labId: parsed.data.lab, namespaces: parsed.data.namespaces, disruptive: parsed.data.disruptive },
    ];
  }

  // Scope: labs, then namespaces.
  for (const t of targets) {
    if (hook.scopeKind === 'LABS' && !hook.labs.includes(t.labId)) {
      await logRefusal('rejected', `out of scope: lab ${t.labId}`);
      return refuse(
        403,
        'OUT_OF_SCOPE',
        `this webhook may not regrade lab ${t.labId} (allowed: ${hook.labs.join(', ')})`,
      );
    }
    if (hook.scopeKind === 'NAMESPACES') {
      if (t.namespaces === 'all') t.namespaces = hook.namespaces;
      const outside = t.namespaces.filter((n) => !hook.namespaces.includes(n));
      if (outside.length) {
        await logRefusal('rejected', `out of scope: namespaces ${outside.join(', ')}`);
        return refuse(403, 'OUT_OF_SCOPE', `this webhook may not regrade ${outside.join(', ')}`);
      }
    }
  }
  const labs = await db.lab.findMany({ where: { id: { in: targets.map((t) => t.labId) } } });
  const missingLab = targets.find((t) => !labs.some((l) => l.id === t.labId && l.enabled));
  if (missingLab) {
    await logRefusal('rejected', `unknown or disabled lab ${missingLab.labId}`);
    return refuse(400, 'BAD_USER_INPUT', `no enabled lab ${missingLab.labId}`);
  }
  const plan: { enrollmentId: string; labId: string; disruptive: boolean }[] = [];
  for (const t of targets) {
    const enrollments = await db.enrollment.findMany({
      where: t.namespaces === 'all' ? { user: { role: 'STUDENT' } } : { namespace: { in: t.namespaces } },
      orderBy: { namespace: 'asc' },
    });
    if (t.namespaces !== 'all') {
      const unknown = t.namespaces.filter((n) => !enrollments.some((e) => e.namespace === n));
      if (unknown.length && scheme === 'github' && event === 'push') {
        await logRefusal('ignored', `no enrolled student with namespace ${unknown.join(', ')}`);
        return { status: 200, body: { deliveryId: providedId, runIds: [], ignored: 'unknown namespace' } };
      }
      if (unknown.length) {
        await logRefusal('rejected', `unknown namespaces ${unknown.join(', ')}`);
        return refuse(400, 'BAD_USER_INPUT', `no enrolled student has namespace ${unknown.join(', ')}`);
      }
    }
    const lab = labs.find((l) => l.id === t.labId)!;
    for (const e of enrollments)
      plan.push({ enrollmentId: e.id, labId: t.labId, disruptive: t.disruptive && lab.disruptiveEnabled });
  }

  // GitHub's signature covers the body but not X-GitHub-Delivery: the same signed body under a
  // fresh id is a replay. Claim the body's digest for the tolerance window (a hidden log row whose
  // unique delivery id is the digest; an expired claim is taken over atomically).
  let claimId: string | null = null;
  if (scheme === 'github') {
    const key = `github-body-sha256:${createHash('sha256').update(req.body).digest('hex')}`;
    const now = new Date();
    const cutoff = new Date(now.getTime() - config.webhookToleranceSeconds * 1000);
    const takenOver = await db.webhookDelivery.updateMany({
      where: { webhookId: hook.id, deliveryId: key, receivedAt: { lt: cutoff } },
      data: { receivedAt: now, runIds: [], reason: `claimed by ${providedId}` },
    });
    if (takenOver.count === 1) claimId = key;
    else {
      try {
        await db.webhookDelivery.create({
          data: {
            webhookId: hook.id,
            deliveryId: key,
            outcome: BODY_CLAIM_OUTCOME,
            reason: `claimed by ${providedId}`,
          },
        });
        claimId = key;
      } catch {
        const claim = await db.webhookDelivery.findUnique({
          where: { webhookId_deliveryId: { webhookId: hook.id, deliveryId: key } },
        });
        const firstId = claim?.reason?.replace(/^claimed by /, '') ?? 'an earlier delivery';
        await logRefusal(
          'duplicate',
          `same signed body as delivery ${firstId} within ${config.webhookToleranceSeconds} s (replayed under a new X-GitHub-Delivery)`,
          claim?.runIds ?? [],
        );
        return {
          status: 200,
          body: { deliveryId: providedId, runIds: claim?.runIds ?? [], duplicate: true },
        };
      }
    }
  }

  let delivery;
  try {
    delivery = await db.webhookDelivery.create({
      data: { webhookId: hook.id, deliveryId: providedId, outcome: 'accepted' },
    });
  } catch {
    // A concurrent delivery with the same id claimed it first.
    const first = await db.webhookDelivery.findUnique({
      where: { webhookId_deliveryId: { webhookId: hook.id, deliveryId: providedId } },
    });
    await logRefusal('duplicate', `repeat of delivery ${providedId}`, first?.runIds ?? []);
    return { status: 200, body: { deliveryId: providedId, runIds: first?.runIds ?? [], duplicate: true } };
  }
  const runIds: string[] = [];
  const byLab = new Map<string, string[]>();
  for (const p of plan) {
    const { run } = await submitRun(db, { ...p, trigger: 'WEBHOOK', webhookDeliveryId: delivery.id });
    runIds.push(run.id);
    byLab.set(run.labId, [...(byLab.get(run.labId) ?? []), run.id]);
  }
  // A webhook regrade is a regrade too: regrade.completed goes out when each lab's runs have ended.
  for (const [labId, ids] of byLab) await createRegradeBatch(db, { labId, runIds: ids, createdById: null });
  await db.webhookDelivery.update({
    where: { id: delivery.id },
    data: { runIds, reason: `${runIds.length} run(s)` },
  });
  if (claimId)
    await db.webhookDelivery.updateMany({
      where: { webhookId: hook.id, deliveryId: claimId },
      data: { runIds },
    });
  await audit(db, {
    actor: `webhook:${hook.name}`,
    action: 'webhook.delivery.accepted',
    subject: `webhook:${hook.id}`,
    after: { deliveryId: providedId, runIds, labs: targets.map((t) => t.labId) },
  });
  return { status: 202, body: { deliveryId: providedId, runIds } };
}
