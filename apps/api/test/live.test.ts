// End to end: a student submits through GraphQL and watches the run over a graphql-ws subscription
// (a real WebSocket to app.listen) while the real worker grades their namespace on kube-sim (real
// redis-server pods), until the run ends with the engine's verdict.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@kubegrade/testkit';
import { pino } from 'pino';
import {
  startKubeSim,
  createPodRuntime,
  generateClass,
  loadClass,
  podIsReady,
  type KubeObject,
  type KubeSim,
} from '@kubegrade/kube-sim';
import { startWorker, type Worker } from '@kubegrade/worker';
import { agents, setup, type Harness } from './helpers.ts';
import { wsClient } from './ws.ts';

let h: Harness;
let sim: KubeSim;
let dir: string;
let worker: Worker | null = null;
let kubeconfig: string;

const STS = 'statefulset-redis-exist-pvc';
function podReady(ns: string): boolean {
  const pod = sim.view.get('pods', ns, `${STS}-0`);
  return pod !== undefined && podIsReady(pod);
}

beforeAll(async () => {
  h = await setup();
  dir = await mkdtemp(join(tmpdir(), 'api-live-'));
  const runtime = createPodRuntime({ dataDir: join(dir, 'data') });
  sim = await startKubeSim({ runtime, podReadyDelayMs: 30, dataDir: join(dir, 'data') });
  runtime.attachView(sim.view);
  kubeconfig = join(dir, 'kubeconfig.yaml');
  await sim.writeKubeconfig(kubeconfig);
  // Ann's namespace holds a correct solution of the lab.
  const spec = generateClass({ students: 1, lab: 'redis-exist-pvc', namespaces: ['ann'], mistakes: [null] });
  await loadClass({ apply: (objects) => sim.apply(objects as unknown as KubeObject[] | string) }, spec);
  await until("ann's Redis pod to be Ready", () => podReady('ann'), { timeoutMs: 60_000 });
});

afterAll(async () => {
  await worker?.stop();
  await h?.close();
  await sim?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Event = {
  runProgress: {
    runId: string;
    run: { status: string; score: number | null };
    check: { checkId: string; status: string } | null;
  };
};

describe('live grading', () => {
  it("a student submits and receives live progress until the engine's verdict", async () => {
    const as = await agents(h);
    const submitted = await as.student.gql<{ submitRun: { run: { id: string; status: string } } }>(
      'mutation($l: ID!) { submitRun(labId: $l) { run { id status } } }',
      { l: h.labId },
    );
    const runId = submitted.data!.submitRun.run.id;
    const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
    // The instructor's scoreboard page listens too: it hears of each check, not only of the run's end.
    const board = wsClient(
      `${address.replace(/^http/, 'ws')}/graphql`,
      as.instructor.cookie,
      h.config.publicUrl,
    );
    const rows: {
      cells: { checkId: string; status: string }[];
      latestRun: { id: string; status: string } | null;
    }[] = [];
    await new Promise<void>((resolve, reject) => {
      board.subscribe<{ scoreboardChanged: (typeof rows)[number] }>(
        {
          query:
            'subscription($l: ID!) { scoreboardChanged(labId: $l) { namespace cells { checkId status } latestRun { id status } } }',
          variables: { l: h.labId },
        },
        {
          next: (value) =>
            value.errors?.length
              ? reject(new Error(JSON.stringify(value.errors)))
              : rows.push(value.data!.scoreboardChanged),
          error: (err) => reject(err instanceof Error ? err : new Error(JSON.stringify(err))),
          complete: () => undefined,
        },
      );
      // graphql-ws acknowledges a subscription only by its first event; give the LISTEN a moment.
      setTimeout(resolve, 300);
    });
    const client = wsClient(
      `${address.replace(/^http/, 'ws')}/graphql`,
      as.student.cookie,
      h.config.publicUrl,
    );
    const events: Event['runProgress'][] = [];
    const finished = new Promise<void>((resolve, reject) => {
      const stop = client.subscribe<Event['runProgress']>(
        {
          query:
            'subscription($id: ID!) { runProgress(runId: $id) { runId run { status score } check { checkId status } } }',
          variables: { id: runId },
        },
        {
          next: (value) => {
            if (value.errors?.length) return reject(new Error(JSON.stringify(value.errors)));
            const e = (value.data as unknown as Event).runProgress;
            events.push(e);
            // The first event is the snapshot sent once the subscription is live: start grading then.
            if (events.length === 1) {
              void startWorker({
                databaseUrl: h.testDb.url,
                kube: { kubeconfig },
                logger: pino({ level: 'silent' }),
                concurrency: 1,
                timeMultiplier: 0.25,
                pollingIntervalSeconds: 0.5,
                heartbeatSeconds: 0.5,
              }).then((w) => (worker = w), reject);
            }
            if (['PASSED', 'FAILED', 'ERROR', 'CANCELLED'].includes(e.run.status)) {
              stop();
              resolve();
            }
          },
          error: (err) => reject(err instanceof Error ? err : new Error(JSON.stringify(err))),
          complete: () => undefined,
        },
      );
    });
    await finished;
    await client.dispose();
    const stored = await h.db.gradingRun.findUniqueOrThrow({
      where: { id: runId },
      include: { checks: { orderBy: { position: 'asc' } } },
    });
    // One scoreboard event per finished check, then one for the run.
    for (let i = 0; i < 200 && rows.length < stored.checks.length + 1; i++)
      await new Promise((r) => setTimeout(r, 100));
    await board.dispose();
    expect({
      scoreboardEvents: rows.length,
      lastCells: rows.at(-1)?.cells.map((c) => c.status),
      lastRun: rows.at(-1)?.latestRun,
    }).toEqual({
      scoreboardEvents: stored.checks.length + 1,
      lastCells: stored.checks.map(() => 'PASS'),
      lastRun: { id: runId, status: 'PASSED' },
    });
    expect({
      first: events[0]?.run.status,
      last: events.at(-1)?.run,
      // Each event is resolved from the run as stored when it is delivered, so under load a check's
      // 'started' event can already show it passing: a check may be seen passing twice, never early
      // or out of order.
      checksSeenPassing: [
        ...new Set(events.filter((e) => e.check?.status === 'PASS').map((e) => e.check!.checkId)),
      ],
      stored: { status: stored.status, score: stored.score },
    }).toEqual({
      first: 'QUEUED',
      last: { status: 'PASSED', score: 100 },
      checksSeenPassing: stored.checks.map((c) => c.checkId),
      stored: { status: 'PASSED', score: 100 },
    });
  });
});
