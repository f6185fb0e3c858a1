// The live lab's GraphQL side over a real WebSocket: only a student subscribes, only to their own
// enrollment's state (the server picks the namespace); OFF until an instructor turns the lab live;
// the worker's rows and notifications become LIVE / PAUSED; a student cannot flip the switch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_TOPIC, liveTopic, notify } from '@kubegrade/db';
import { agents, setup, type Harness } from './helpers.ts';
import { firstResult, wsClient } from './ws.ts';

let h: Harness;
let as: Awaited<ReturnType<typeof agents>>;
let address: string;

beforeAll(async () => {
  h = await setup();
  as = await agents(h);
  address = (await h.app.listen({ port: 0, host: '127.0.0.1' })).replace(/^http/, 'ws');
});
afterAll(async () => {
  await h?.close();
});

const QUERY =
  'subscription($l: ID!) { liveLab(labId: $l) { labId status pausedReason checks { checkId status message } events { reason message object } } }';
type Live = {
  labId: string;
  status: string;
  pausedReason: string | null;
  checks: { checkId: string; status: string; message: string }[];
  events: { reason: string; message: string; object: string }[];
};

const enrollmentOf = async (email: string) =>
  (await h.db.enrollment.findFirstOrThrow({ where: { user: { email } } })).id;

async function writeState(
  enrollmentId: string,
  checks: { id: string; status: string; message: string }[],
  live = true,
) {
  const data = {
    live,
    pausedReason: live ? null : 'pods: connect ECONNREFUSED',
    checks: checks.map((c) => ({ ...c, title: { zh: c.id, en: c.id }, hint: null, evidence: {} })),
    events: [
      {
        type: 'Normal',
        reason: 'FailedBinding',
        message: 'no persistent volumes available for this claim and no storage class is set',
        object: 'PersistentVolumeClaim/pvc',
        count: 3,
        at: new Date().toISOString(),
      },
    ],
    confirmedAt: new Date(),
  };
  await h.db.liveState.upsert({
    where: { labId_enrollmentId: { labId: h.labId, enrollmentId } },
    create: { labId: h.labId, enrollmentId, ...data },
    update: data,
  });
}

/** Subscribes as `cookie`; collects every state until stopped. */
function watch(cookie: string) {
  const client = wsClient(`${address}/graphql`, cookie, h.config.publicUrl);
  const seen: Live[] = [];
  const errors: { message: string; extensions?: { code?: string } }[] = [];
  const stop = client.subscribe(
    { query: QUERY, variables: { l: h.labId } },
    {
      next: (v) => {
        if (v.errors?.length) errors.push(...(v.errors as never[]));
        else seen.push((v.data as { liveLab: Live }).liveLab);
      },
      error: (e) => errors.push({ message: String(e) }),
      complete: () => undefined,
    },
  );
  return {
    seen,
    errors,
    async until(pred: (l: Live) => boolean, ms = 10_000) {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        if (seen.some(pred)) return true;
        await new Promise((r) => setTimeout(r, 50));
      }
      return false;
    },
    close: () => {
      stop();
      void client.dispose();
    },
  };
}

describe('liveLab subscription and setLabLive', () => {
  it('is for students only', async () => {
    for (const who of [as.instructor, as.admin, as.anonymous]) {
      const client = wsClient(`${address}/graphql`, who.cookie, h.config.publicUrl);
      const r = await firstResult(client, QUERY, { l: h.labId }, () => undefined).catch((e: Error) => ({
        errors: [{ message: e.message }],
      }));
      expect('errors' in r && r.errors.length).toBeTruthy();
      await client.dispose();
    }
  });

  it('a student cannot switch the live lab; an instructor can, and the change is audited', async () => {
    const refused = await as.student.gql(
      'mutation($l: ID!) { setLabLive(labId: $l, enabled: true) { id liveEnabled } }',
      { l: h.labId },
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await h.db.lab.findUniqueOrThrow({ where: { id: h.labId } })).liveEnabled).toBe(false);
  });

  it("shows OFF, then the student's own live state as the worker writes it, then PAUSED; never another student's", async () => {
    const ann = await enrollmentOf('ann@example.edu');
    const bob = await enrollmentOf('bob@example.edu');
    const w = watch(as.student.cookie);
    try {
      expect(await w.until((l) => l.status === 'OFF')).toBe(true);
      const on = await as.instructor.gql<{ setLabLive: { liveEnabled: boolean } }>(
        'mutation($l: ID!) { setLabLive(labId: $l, enabled: true) { id liveEnabled } }',
        { l: h.labId },
      );
      expect(on.errors ?? []).toEqual([]);
      expect(on.data?.setLabLive.liveEnabled).toBe(true);
      expect(await h.db.auditEntry.count({ where: { action: 'lab.live' } })).toBe(1);
      expect(await w.until((l) => l.status === 'STARTING')).toBe(true);

      await writeState(bob, [{ id: 'pvc-bound', status: 'fail', message: 'bob-only finding' }]);
      await notify(h.db, liveTopic(bob, h.labId), { event: 'state', enrollmentId: bob, labId: h.labId });
      await writeState(ann, [
        { id: 'pvc-bound', status: 'pass', message: 'PVC is Bound' },
        { id: 'redis-persistence', status: 'grade-only', message: 'Grade only' },
      ]);
      await notify(h.db, liveTopic(ann, h.labId), { event: 'state', enrollmentId: ann, labId: h.labId });
      expect(
        await w.until(
          (l) =>
            l.status === 'LIVE' && l.checks.some((c) => c.checkId === 'pvc-bound' && c.status === 'PASS'),
        ),
      ).toBe(true);
      const live = w.seen.find((l) => l.status === 'LIVE')!;
      expect(live.checks.find((c) => c.checkId === 'redis-persistence')?.status).toBe('GRADE_ONLY');
      expect(live.events[0]?.message).toContain('no persistent volumes available');

      // The instructor's scoreboard shows each student's live state beside the graded score.
      const board = await as.instructor.gql<{
        scoreboard: {
          rows: {
            namespace: string;
            finalScore: number | null;
            live: { status: string; passed: number; checks: number } | null;
          }[];
        };
      }>(
        'query($l: ID!) { scoreboard(labId: $l) { rows { namespace finalScore live { status passed checks } } } }',
        { l: h.labId },
      );
      expect(board.errors ?? []).toEqual([]);
      const rows = Object.fromEntries(board.data!.scoreboard.rows.map((r) => [r.namespace, r]));
      expect(rows.ann?.live).toEqual({ status: 'LIVE', passed: 1, checks: 1 });
      expect(rows.bob?.live).toEqual({ status: 'LIVE', passed: 0, checks: 1 });
      expect(rows.ann?.finalScore).toBeNull();

      // The worker lost a watch: every row paused, announced engine-wide.
      await h.db.liveState.updateMany({ data: { live: false, pausedReason: 'pods: connect ECONNREFUSED' } });
      await notify(h.db, LIVE_TOPIC, { event: 'paused' });
      expect(
        await w.until((l) => l.status === 'PAUSED' && (l.pausedReason ?? '').includes('ECONNREFUSED')),
      ).toBe(true);
      expect(JSON.stringify(w.seen)).not.toContain('bob-only');
      expect(w.errors).toEqual([]);
    } finally {
      w.close();
    }
  });

  it('a row the engine stopped confirming is shown as paused', async () => {
    const ann = await enrollmentOf('ann@example.edu');
    await writeState(ann, [{ id: 'pvc-bound', status: 'pass', message: 'PVC is Bound' }]);
    await h.db.liveState.update({
      where: { labId_enrollmentId: { labId: h.labId, enrollmentId: ann } },
      data: { confirmedAt: new Date(Date.now() - 5 * 60_000) },
    });
    const w = watch(as.student.cookie);
    try {
      expect(await w.until((l) => l.status === 'PAUSED')).toBe(true);
      expect(w.seen.some((l) => l.status === 'LIVE')).toBe(false);
    } finally {
      w.close();
    }
  });
});
