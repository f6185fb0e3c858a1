// The cooldown token bucket with an injected clock (deterministic), on real PostgreSQL.
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  cooldownStatus,
  createTestDatabase,
  refundCooldownToken,
  takeCooldownToken,
  type TestDatabase,
} from '../../src/index.ts';

let t: TestDatabase;
let userId: string;
beforeAll(async () => {
  t = await createTestDatabase();
  userId = (await t.prisma.user.create({ data: { email: 'c@example.test', name: 'C' } })).id;
});
afterAll(() => t?.drop());

it('allows a burst, then one request per refill interval, and reports the wait', async () => {
  let now = new Date('2026-03-01T10:00:00Z');
  const cfg = { rate: 2, burst: 3, now: () => now };
  const at = (seconds: number) => (now = new Date(Date.parse('2026-03-01T10:00:00Z') + seconds * 1000));

  expect(await cooldownStatus(t.prisma, userId, cfg)).toEqual({ tokensAvailable: 3, retryAfterSeconds: 0 });
  expect(await takeCooldownToken(t.prisma, userId, cfg)).toEqual({ ok: true, tokensLeft: 2 });
  expect(await takeCooldownToken(t.prisma, userId, cfg)).toEqual({ ok: true, tokensLeft: 1 });
  expect(await takeCooldownToken(t.prisma, userId, cfg)).toEqual({ ok: true, tokensLeft: 0 });
  // Two tokens a minute: the next one is 30 s away.
  expect(await takeCooldownToken(t.prisma, userId, cfg)).toEqual({ ok: false, retryAfterSeconds: 30 });
  at(20);
  expect(await takeCooldownToken(t.prisma, userId, cfg)).toEqual({ ok: false, retryAfterSeconds: 10 });
  expect(await cooldownStatus(t.prisma, userId, cfg)).toEqual({ tokensAvailable: 0, retryAfterSeconds: 10 });
  at(30);
  expect(await takeCooldownToken(t.prisma, userId, cfg)).toEqual({ ok: true, tokensLeft: 0 });
  // A long pause refills to the burst size, never beyond.
  at(3600);
  expect(await cooldownStatus(t.prisma, userId, cfg)).toEqual({ tokensAvailable: 3, retryAfterSeconds: 0 });
});

it('gives a token back on refund, capped at the burst size', async () => {
  const now = new Date('2026-03-02T10:00:00Z');
  const cfg = { rate: 1, burst: 2, now: () => now };
  const other = (await t.prisma.user.create({ data: { email: 'd@example.test', name: 'D' } })).id;
  await takeCooldownToken(t.prisma, other, cfg);
  await takeCooldownToken(t.prisma, other, cfg);
  expect(await takeCooldownToken(t.prisma, other, cfg)).toEqual({ ok: false, retryAfterSeconds: 60 });
  await refundCooldownToken(t.prisma, other, cfg);
  expect(await cooldownStatus(t.prisma, other, cfg)).toEqual({ tokensAvailable: 1, retryAfterSeconds: 0 });
  await refundCooldownToken(t.prisma, other, cfg);
  await refundCooldownToken(t.prisma, other, cfg);
  expect(await cooldownStatus(t.prisma, other, cfg)).toEqual({ tokensAvailable: 2, retryAfterSeconds: 0 });
});

it('serialises concurrent requests: a burst of 3 admits exactly 3 of 6 simultaneous requests', async () => {
  const now = new Date('2026-03-03T10:00:00Z');
  const cfg = { rate: 1, burst: 3, now: () => now };
  const u = (await t.prisma.user.create({ data: { email: 'e@example.test', name: 'E' } })).id;
  const answers = await Promise.all(Array.from({ length: 6 }, () => takeCooldownToken(t.prisma, u, cfg)));
  expect(answers.filter((a) => a.ok)).toHaveLength(3);
});
