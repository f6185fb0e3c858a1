// Outbound signed events, the admin side: endpoints per course with the events they want, secrets
// shown once and sealed like the inbound webhook secrets (rotation keeps the previous secret signing
// for ROTATION_GRACE_MS), revocation, and redelivery. The outbox and the sender are in
// @kubegrade/db (events/) and apps/worker (events.ts).
import { EVENT_TYPES, redeliver, type EventEndpoint, type PrismaClient } from '@kubegrade/db';
import { newWebhookSecret, seal } from './crypto.ts';
import { audit } from './audit.ts';
import { ROTATION_GRACE_MS } from './webhooks.ts';
import { ApiError } from './errors.ts';
import type { SessionUser } from '../types.ts';

export { EVENT_TYPES };

/**
 * An endpoint URL: http(s) only, at most 2,000 characters, no credentials in it; in production
 * https only, so the signed bodies (student names and scores) never cross the network in clear.
 */
export function checkEndpointUrl(raw: string, production: boolean): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ApiError('BAD_USER_INPUT', 'url: not a URL');
  }
  if (raw.length > 2000) throw new ApiError('BAD_USER_INPUT', 'url: at most 2,000 characters');
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ApiError('BAD_USER_INPUT', 'url: only http and https endpoints');
  if (production && url.protocol !== 'https:')
    throw new ApiError('BAD_USER_INPUT', 'url: production endpoints must use https');
  if (url.username || url.password)
    throw new ApiError(
      'BAD_USER_INPUT',
      'url: no user name or password in the URL; the signature authenticates the sender',
    );
  return url.toString();
}

/** Creates an endpoint and its first secret; the secret is returned once and stored encrypted. */
export async function createEventEndpoint(
  db: PrismaClient,
  key: Buffer,
  input: { courseId: string; name: string; url: string; events: string[] },
  actor: SessionUser,
): Promise<{ endpoint: EventEndpoint; secret: string }> {
  const secret = newWebhookSecret();
  const endpoint = await db.eventEndpoint.create({
    data: {
      courseId: input.courseId,
      name: input.name,
      url: input.url,
      events: [...new Set(input.events)],
      createdById: actor.id,
      secrets: { create: seal(key, secret) },
    },
  });
  await audit(db, {
    actor,
    action: 'event-endpoint.create',
    subject: `event-endpoint:${endpoint.id}`,
    after: { name: endpoint.name, url: endpoint.url, events: endpoint.events, courseId: endpoint.courseId },
  });
  return { endpoint, secret };
}

/** Adds a new secret; the ones before keep signing (next to it) for ROTATION_GRACE_MS. */
export async function rotateEventEndpointSecret(
  db: PrismaClient,
  key: Buffer,
  endpoint: EventEndpoint,
  actor: SessionUser,
): Promise<{ endpoint: EventEndpoint; secret: string }> {
  const secret = newWebhookSecret();
  const graceUntil = new Date(Date.now() + ROTATION_GRACE_MS);
  await db.$transaction([
    db.eventEndpointSecret.updateMany({
      where: { endpointId: endpoint.id, revokedAt: null, expiresAt: null },
      data: { expiresAt: graceUntil },
    }),
    db.eventEndpointSecret.create({ data: { endpointId: endpoint.id, ...seal(key, secret) } }),
  ]);
  await audit(db, {
    actor,
    action: 'event-endpoint.rotate',
    subject: `event-endpoint:${endpoint.id}`,
    after: { previousSecretsValidUntil: graceUntil.toISOString() },
  });
  return { endpoint, secret };
}

/** Revokes the endpoint and its secrets: nothing more is sent to it. */
export async function revokeEventEndpoint(
  db: PrismaClient,
  endpoint: EventEndpoint,
  actor: SessionUser,
): Promise<EventEndpoint> {
  const now = new Date();
  const [, updated] = await db.$transaction([
    db.eventEndpointSecret.updateMany({
      where: { endpointId: endpoint.id, revokedAt: null },
      data: { revokedAt: now },
    }),
    db.eventEndpoint.update({ where: { id: endpoint.id }, data: { active: false, revokedAt: now } }),
  ]);
  await audit(db, { actor, action: 'event-endpoint.revoke', subject: `event-endpoint:${endpoint.id}` });
  return updated;
}

/** Sends a delivery again (same message id, so a receiver that de-duplicates sees it once). */
export async function redeliverEvent(
  db: PrismaClient,
  deliveryId: string,
  actor: SessionUser,
): Promise<void> {
  const d = await db.eventDelivery.findUnique({ where: { id: deliveryId }, include: { endpoint: true } });
  if (!d) throw new ApiError('NOT_FOUND', `no event delivery "${deliveryId}"`);
  if (!d.endpoint.active) throw new ApiError('CONFLICT', 'the endpoint is revoked; create a new one');
  if (d.status === 'pending' || d.status === 'retrying')
    throw new ApiError('CONFLICT', 'this delivery is still being sent');
  await redeliver(db, d.id);
  await audit(db, {
    actor,
    action: 'event-delivery.redeliver',
    subject: `event-delivery:${d.id}`,
    after: { endpointId: d.endpointId, eventType: d.eventType, previousStatus: d.status },
  });
}
