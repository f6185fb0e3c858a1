// The live lab in the worker (only the worker talks to Kubernetes): runs packages/grader's
// LiveEngine while at least one enabled lab has the live lab switched on, for every rostered
// student namespace; writes each verdict to LiveState and publishes its id on the enrollment's live
// topic. While the engine's watches are down every row is marked paused (one UPDATE) and
// LIVE_TOPIC says so; while they are up, a heartbeat confirms the rows, so a page whose worker died
// sees its view go stale instead of trusting an old "pass".
import type { KubeConfig } from '@kubernetes/client-node';
import {
  leaderLock,
  LIVE_TOPIC,
  liveTopic,
  scoreboardTopic,
  type LiveEventPayload,
  type Prisma,
  type PrismaClient,
  type PubSub,
} from '@kubegrade/db';
import {
  LiveEngine,
  type Lab,
  type LiveEngineOptions,
  type LiveState,
  type LiveTarget,
  type WatchHealth,
} from '@kubegrade/grader';
import type { Logger } from 'pino';
import { readLab } from './lab.ts';

/** Tuning of the live lab (LIVE_* variables); engine limits default to LiveEngine's. */
export interface LiveLabConfig {
  /** false: never start the engine, whatever the labs say (LIVE_LAB=off). Default true. */
  enabled?: boolean;
  /** How often the labs and the roster are re-read. Default 15 s. */
  refreshSeconds?: number;
  /** How often a healthy engine confirms its rows. Default 20 s. */
  heartbeatSeconds?: number;
  /** Engine limits (coalesceMs, namespaceIntervalMs, maxEvaluationsPerSecond, execIntervalMs, ...). */
  engine?: Omit<LiveEngineOptions, 'kubeConfig' | 'onState' | 'onHealth' | 'onError'>;
}

/** The running live lab of one worker. */
export interface LiveLab {
  /** The engine while some lab is live, else null. */
  readonly engine: LiveEngine | null;
  /** Re-reads labs and roster now (also done every refreshSeconds). */
  refresh(): Promise<void>;
  stop(): Promise<void>;
}

interface Deps {
  /** For the leader lock's own connection. */
  databaseUrl: string;
  prisma: PrismaClient;
  pubsub: PubSub;
  kubeConfig: KubeConfig;
  log: Logger;
  config?: LiveLabConfig;
}

function describeDown(h: WatchHealth): string {
  return Object.entries(h.down)
    .map(([kind, why]) => `${kind}: ${why}`)
    .join('; ')
    .slice(0, 500);
}

/** Starts the live lab loop (the engine itself starts only when some lab is live). */
export async function startLiveLab(deps: Deps): Promise<LiveLab> {
  const { prisma, pubsub, log } = deps;
  const cfg = deps.config ?? {};
  let engine: LiveEngine | null = null;
  /** namespace -> enrollment ids (a namespace may be in several courses). */
  let enrollmentsOf = new Map<string, string[]>();
  /** What each row last got, so an unchanged verdict is not written again. */
  const written = new Map<string, string>();
  let stopped = false;
  let refreshing: Promise<void> | null = null;
  // One worker runs the live lab; the others stand by and take over when its lock is free.
  const lock = leaderLock(deps.databaseUrl, 'kubegrade:live-lab', {
    onLost: () => {
      log.warn('live: lost the live lab lock (its database connection failed); stopping the watches');
      const e = engine;
      engine = null;
      void e?.stop();
    },
    onError: (err) => log.warn({ err: { message: err.message } }, 'live: lock connection error'),
  });

  const publish = (topic: string, payload: LiveEventPayload) =>
    pubsub
      .publish(topic, payload)
      .catch((err: Error) => log.warn({ err: { message: err.message } }, 'live: could not publish'));

  const onState = async (s: LiveState) => {
    for (const enrollmentId of enrollmentsOf.get(s.namespace) ?? []) {
      const key = `${s.labId}/${enrollmentId}`;
      const body = JSON.stringify([s.checks, s.events]);
      if (written.get(key) === body) continue;
      const data = {
        live: true,
        pausedReason: null,
        checks: s.checks as unknown as Prisma.InputJsonValue,
        events: s.events as unknown as Prisma.InputJsonValue,
        evaluatedAt: s.evaluatedAt,
        confirmedAt: new Date(),
      };
      await prisma.liveState.upsert({
        where: { labId_enrollmentId: { labId: s.labId, enrollmentId } },
        create: { labId: s.labId, enrollmentId, ...data },
        update: data,
      });
      written.set(key, body);
      await publish(liveTopic(enrollmentId, s.labId), { event: 'state', enrollmentId, labId: s.labId });
      // The instructor's scoreboard shows the live state beside the graded score.
      await publish(scoreboardTopic(s.labId), { event: 'live', enrollmentId, labId: s.labId });
    }
  };

  const onHealth = async (h: WatchHealth) => {
    if (h.ok) {
      log.info('live: every watch is established');
      return;
    }
    const reason = describeDown(h);
    log.warn({ down: h.down }, 'live: a watch is down; the live view is paused');
    // Rows must be rewritten as live once re-evaluated, even when the verdict is the same.
    written.clear();
    const rows = await prisma.liveState.findMany({
      where: { live: true },
      select: { labId: true, enrollmentId: true },
    });
    await prisma.liveState.updateMany({ where: { live: true }, data: { live: false, pausedReason: reason } });
    await publish(LIVE_TOPIC, { event: 'paused' });
    for (const r of rows)
      await publish(scoreboardTopic(r.labId), {
        event: 'live',
        enrollmentId: r.enrollmentId,
        labId: r.labId,
      });
  };

  const targetsFrom = async (): Promise<LiveTarget[] | null> => {
    const rows = await prisma.lab.findMany({
      where: { enabled: true, liveEnabled: true },
      orderBy: { id: 'asc' },
    });
    const labs: Lab[] = [];
    for (const row of rows) {
      const parsed = readLab(row);
      if (parsed.ok) labs.push(parsed.lab);
      else log.warn({ labId: row.id }, 'live: the lab in the database is invalid; not evaluated live');
    }
    if (labs.length === 0) return null;
    const enrollments = await prisma.enrollment.findMany({
      where: { user: { role: 'STUDENT' } },
      select: { id: true, namespace: true },
    });
    const next = new Map<string, string[]>();
    for (const e of enrollments) next.set(e.namespace, [...(next.get(e.namespace) ?? []), e.id]);
    enrollmentsOf = next;
    return [...next.keys()].sort().map((namespace) => ({ namespace, labs }));
  };

  const refreshOnce = async () => {
    const targets = cfg.enabled === false ? null : await targetsFrom();
    if (stopped) return;
    if (!targets) {
      if (engine) {
        log.info('live: no lab is live any more; stopping the watches');
        const e = engine;
        engine = null;
        await e.stop();
      }
      await lock.release();
      return;
    }
    if (!(await lock.tryAcquire())) return; // Another worker runs the live lab.
    if (stopped) return;
    if (!engine) {
      written.clear();
      engine = new LiveEngine({
        ...cfg.engine,
        kubeConfig: deps.kubeConfig,
        onState,
        onHealth,
        onError: (err, namespace) =>
          log.error({ namespace, err: { message: err.message } }, 'live: evaluation failed'),
      });
      engine.setTargets(targets);
      log.info(
        { namespaces: targets.length, labs: targets[0]?.labs.map((l) => l.id) },
        'live: starting the watches',
      );
      await engine.start();
    } else {
      engine.setTargets(targets);
    }
  };

  const refresh = () => {
    refreshing ??= refreshOnce()
      .catch((err: Error) => log.warn({ err: { message: err.message } }, 'live: refresh failed'))
      .finally(() => (refreshing = null));
    return refreshing;
  };

  await refresh();
  const refreshTimer = setInterval(() => void refresh(), (cfg.refreshSeconds ?? 15) * 1000);
  const heartbeat = setInterval(
    () => {
      if (!engine?.live) return;
      prisma.liveState
        .updateMany({ where: { live: true }, data: { confirmedAt: new Date() } })
        .then(() => publish(LIVE_TOPIC, { event: 'heartbeat' }))
        .catch((err: Error) => log.warn({ err: { message: err.message } }, 'live: heartbeat failed'));
    },
    (cfg.heartbeatSeconds ?? 20) * 1000,
  );

  return {
    get engine() {
      return engine;
    },
    refresh,
    async stop() {
      stopped = true;
      clearInterval(refreshTimer);
      clearInterval(heartbeat);
      await refreshing;
      const e = engine;
      engine = null;
      await e?.stop();
      if (lock.held) {
        // No engine watches any more: say so rather than leave the last verdicts standing, until
        // another worker takes the lock and evaluates every namespace afresh.
        await prisma.liveState
          .updateMany({
            where: { live: true },
            data: { live: false, pausedReason: 'the worker running the live lab stopped' },
          })
          .catch(() => {});
        await publish(LIVE_TOPIC, { event: 'paused' });
      }
      await lock.release();
    },
  };
}
