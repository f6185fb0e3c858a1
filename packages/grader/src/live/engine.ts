// The live lab engine: while students work, the non-disruptive checks of their live labs are
// re-evaluated from the watch caches whenever their namespace changes. Changes are mapped to the
// rostered namespaces that care (a PV by claimRef.namespace or by the PV names the lab expects, a
// StorageClass to every namespace), coalesced (a burst of applies is one evaluation), and
// evaluations are rate-limited per namespace and in total. Exec (headless-dns lookups) is gated
// harder still. While any watch is down the engine is paused: it evaluates nothing and says so,
// so a lost watch never leaves a stale "pass" standing; once every watch is back, each namespace
// is evaluated afresh.
import type { CoreV1Event, KubeConfig, KubernetesObject, V1PersistentVolume } from '@kubernetes/client-node';
import { resolveCheckParams } from '../lab/load.ts';
import { localize, localizeEvidence } from '../messages.ts';
import { grade } from '../runner.ts';
import type { CheckResult, Hint, Lab, Localized } from '../types.ts';
import { CachedCluster } from './cached-cluster.ts';
import { LiveWatches, type LiveChange, type WatchHealth } from './watches.ts';

/** A namespace the engine watches, with the live labs its student works on. */
export interface LiveTarget {
  namespace: string;
  labs: Lab[];
}

/**
 * A check as the live view shows it. pending: its in-pod part has not run yet (it runs at most once
 * per execIntervalMs per namespace); grade-only: disruptive, judged only by a Grade run.
 */
export interface LiveCheck {
  id: string;
  title: Localized;
  status: 'pass' | 'fail' | 'error' | 'skipped' | 'pending' | 'grade-only';
  /** What was found, in English. */
  message: string;
  /** What was found, in both languages. */
  messageText: Localized;
  hint: Hint | null;
  evidence: Record<string, unknown>;
}

/** A Kubernetes Event of the namespace, as the student sees it. */
export interface LiveEvent {
  type: string;
  reason: string;
  message: string;
  /** "PersistentVolumeClaim/pvc-x" */
  object: string;
  count: number;
  /** ISO time of the last occurrence. */
  at: string;
}

/** One namespace's live verdict for one lab. */
export interface LiveState {
  namespace: string;
  labId: string;
  labVersion: string;
  evaluatedAt: Date;
  checks: LiveCheck[];
  /** The namespace's most recent Events, newest first. */
  events: LiveEvent[];
}

/** Counters, for the bench and the logs. */
export interface LiveStats {
  changes: number;
  /** Changes that asked for a namespace already waiting to be evaluated. */
  coalesced: number;
  evaluations: number;
  execEvaluations: number;
  execDeferred: number;
  /** Changes of namespaces no live lab cares about. */
  ignored: number;
}

/** Options of the live engine; the defaults bound 500 busy students to ~20 evaluations per second. */
export interface LiveEngineOptions {
  kubeConfig: KubeConfig;
  /** A verdict changed (or was first computed). */
  onState: (state: LiveState) => void | Promise<void>;
  /** The watches went down (paused) or came back. */
  onHealth?: (health: WatchHealth) => void | Promise<void>;
  /** Wait after a change before evaluating, collecting the rest of the burst, ms. Default 300. */
  coalesceMs?: number;
  /** At most one evaluation per namespace per this many ms. Default 2000. */
  namespaceIntervalMs?: number;
  /** Evaluations per second over all namespaces (a token bucket of that size). Default 20. */
  maxEvaluationsPerSecond?: number;
  /** Evaluations running at once. Default 4. */
  concurrency?: number;
  /** At most one evaluation that runs commands in pods per namespace per this many ms. Default 30000. */
  execIntervalMs?: number;
  /** ...and at most this many per minute over all namespaces. Default 30. */
  maxExecEvaluationsPerMinute?: number;
  /** Watch restart backoff (see LiveWatches). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Evaluations that threw (a bug; logged by the caller). */
  onError?: (err: Error, namespace: string) => void;
}

/** How many Events a state carries. */
const EVENTS_SHOWN = 10;

interface NsState {
  timer: NodeJS.Timeout | undefined;
  /** When the pending timer fires, epoch ms. */
  timerAt: number;
  queued: boolean;
  running: boolean;
  dirty: boolean;
  /** A later evaluation asked for while this one ran (the exec gate reopening), epoch ms; 0 none. */
  followUpAt: number;
  lastEvalAt: number;
  lastExecAt: number;
}

function nsOf(o: KubernetesObject): string | undefined {
  return o.metadata?.namespace ?? undefined;
}

function eventTime(e: CoreV1Event): string {
  const t = (e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp) as unknown;
  return t instanceof Date ? t.toISOString() : typeof t === 'string' ? t : '';
}

/** The namespace's newest Events (the cache holds plain JSON). */
export function recentEvents(events: readonly CoreV1Event[], limit = EVENTS_SHOWN): LiveEvent[] {
  return [...events]
    .map((e) => ({
      type: e.type ?? 'Normal',
      reason: e.reason ?? '',
      message: (e.message ?? '').slice(0, 300),
      object: `${e.involvedObject?.kind ?? '?'}/${e.involvedObject?.name ?? '?'}`,
      count: e.count ?? 1,
      at: eventTime(e),
    }))
    .sort((a, b) => b.at.localeCompare(a.at))
    .slice(0, limit);
}

/** The live lab engine over one cluster. */
export class LiveEngine {
  readonly watches: LiveWatches;
  readonly stats: LiveStats = {
    changes: 0,
    coalesced: 0,
    evaluations: 0,
    execEvaluations: 0,
    execDeferred: 0,
    ignored: 0,
  };
  private targets = new Map<string, Lab[]>();
  /** PV name -> namespaces whose labs expect it. */
  private pvOwners = new Map<string, Set<string>>();
  private readonly ns = new Map<string, NsState>();
  private readonly ready: string[] = [];
  private running = 0;
  private tokens: number;
  private tokenAt = Date.now();
  private pumpTimer: NodeJS.Timeout | undefined;
  private execTimes: number[] = [];
  /** Last verdict of a check whose in-pod part ran: ns/lab/check -> check. */
  private readonly execBacked = new Map<string, LiveCheck>();
  private healthy = false;
  private stopped = false;
  /** Counts the pauses: an evaluation that saw one begin (even if it is over) publishes nothing. */
  private pauses = 0;
  /** Aborts the evaluations in flight on stop (they hold the runner's namespace lock). */
  private abort = new AbortController();
  private readonly o: Required<Omit<LiveEngineOptions, 'onHealth' | 'onError'>> &
    Pick<LiveEngineOptions, 'onHealth' | 'onError'>;

  constructor(opts: LiveEngineOptions) {
    this.o = {
      coalesceMs: 300,
      namespaceIntervalMs: 2000,
      maxEvaluationsPerSecond: 20,
      concurrency: 4,
      execIntervalMs: 30_000,
      maxExecEvaluationsPerMinute: 30,
      minBackoffMs: 500,
      maxBackoffMs: 10_000,
      ...opts,
    };
    this.tokens = this.o.maxEvaluationsPerSecond;
    this.watches = new LiveWatches(opts.kubeConfig, {
      minBackoffMs: this.o.minBackoffMs,
      maxBackoffMs: this.o.maxBackoffMs,
      onChange: (c) => this.changed(c),
      onHealth: (h) => this.health(h),
    });
  }

  /** Starts the watches; every target is evaluated once they are all established. */
  async start(): Promise<void> {
    this.stopped = false;
    if (this.abort.signal.aborted) this.abort = new AbortController();
    await this.watches.start();
  }

  /** Stops watching and evaluating. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    clearTimeout(this.pumpTimer);
    for (const s of this.ns.values()) clearTimeout(s.timer);
    await this.watches.stop();
  }

  /** Whether every watch is established (false: the live view is paused). */
  get live(): boolean {
    return this.healthy;
  }

  /** Replaces the namespaces and labs to evaluate; new or changed targets are evaluated. */
  setTargets(targets: readonly LiveTarget[]): void {
    const next = new Map(targets.filter((t) => t.labs.length > 0).map((t) => [t.namespace, t.labs]));
    const changed = [...next].filter(([ns, labs]) => {
      const before = this.targets.get(ns);
      return (
        !before ||
        before.map((l) => `${l.id}@${l.version}`).join() !== labs.map((l) => `${l.id}@${l.version}`).join()
      );
    });
    this.targets = next;
    this.pvOwners = new Map();
    for (const [ns, labs] of next) {
      for (const lab of labs) {
        for (const check of lab.checks) {
          let params: Record<string, unknown>;
          try {
            params = resolveCheckParams(lab, check, ns) as Record<string, unknown>;
          } catch {
            continue; // The evaluation reports the lab's error.
          }
          const pv = params.pv;
          if (typeof pv === 'string') {
            let set = this.pvOwners.get(pv);
            if (!set) this.pvOwners.set(pv, (set = new Set()));
            set.add(ns);
          }
        }
      }
    }
    for (const [ns] of this.ns) if (!next.has(ns)) this.forget(ns);
    for (const [ns] of changed) this.mark(ns);
  }

  /** The rostered namespaces a change concerns. */
  namespacesFor(change: LiveChange): string[] {
    const o = change.object;
    switch (change.kind) {
      case 'persistentvolumes': {
        const pv = o as V1PersistentVolume;
        const out = new Set<string>();
        const claimNs = pv.spec?.claimRef?.namespace;
        if (claimNs && this.targets.has(claimNs)) out.add(claimNs);
        for (const ns of this.pvOwners.get(pv.metadata?.name ?? '') ?? []) out.add(ns);
        return [...out];
      }
      case 'storageclasses':
        return [...this.targets.keys()];
      case 'events': {
        const e = o as CoreV1Event;
        const ns = e.involvedObject?.namespace ?? nsOf(o);
        return ns && this.targets.has(ns) ? [ns] : [];
      }
      default: {
        const ns = nsOf(o);
        return ns && this.targets.has(ns) ? [ns] : [];
      }
    }
  }

  private changed(change: LiveChange): void {
    this.stats.changes++;
    const nss = this.namespacesFor(change);
    if (nss.length === 0) this.stats.ignored++;
    for (const ns of nss) this.mark(ns);
  }

  private state(ns: string): NsState {
    let s = this.ns.get(ns);
    if (!s)
      this.ns.set(
        ns,
        (s = {
          timer: undefined,
          timerAt: 0,
          queued: false,
          running: false,
          dirty: false,
          followUpAt: 0,
          lastEvalAt: 0,
          lastExecAt: 0,
        }),
      );
    return s;
  }

  private forget(ns: string): void {
    const s = this.ns.get(ns);
    if (s) clearTimeout(s.timer);
    this.ns.delete(ns);
    for (const key of this.execBacked.keys()) if (key.startsWith(`${ns}/`)) this.execBacked.delete(key);
  }

  /** Asks for an evaluation of `ns` (coalesced with any already pending), no sooner than `notBefore`. */
  private mark(ns: string, notBefore = 0): void {
    if (this.stopped || !this.targets.has(ns)) return;
    const s = this.state(ns);
    if (s.running) {
      // A change during the evaluation: once more right after; a follow-up: at its time.
      if (notBefore > 0) s.followUpAt = Math.max(s.followUpAt, notBefore);
      else s.dirty = true;
      return;
    }
    const now = Date.now();
    const at = Math.max(now + this.o.coalesceMs, s.lastEvalAt + this.o.namespaceIntervalMs, notBefore);
    // Coalesced into the pending evaluation, unless that one waits longer (a follow-up for the exec
    // gate can be a minute away; a change must not wait for it).
    if (s.queued || (s.timer && s.timerAt <= at)) {
      this.stats.coalesced++;
      return;
    }
    clearTimeout(s.timer);
    s.timerAt = at;
    s.timer = setTimeout(() => {
      s.timer = undefined;
      s.queued = true;
      this.ready.push(ns);
      this.pump();
    }, at - now);
  }

  private health(h: WatchHealth): void {
    const was = this.healthy;
    this.healthy = h.ok;
    if (was && !h.ok) this.pauses++;
    void Promise.resolve(this.o.onHealth?.(h)).catch(() => {});
    // Back from a pause (or first sync): nothing seen before can be trusted; evaluate everyone.
    if (h.ok && !was) for (const ns of this.targets.keys()) this.mark(ns);
  }

  private pump(): void {
    clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    const now = Date.now();
    const rate = this.o.maxEvaluationsPerSecond;
    this.tokens = Math.min(rate, this.tokens + ((now - this.tokenAt) / 1000) * rate);
    this.tokenAt = now;
    while (this.ready.length > 0 && this.running < this.o.concurrency && this.tokens >= 1) {
      const ns = this.ready.shift()!;
      this.tokens -= 1;
      void this.run(ns);
    }
    if (this.ready.length > 0 && this.running < this.o.concurrency && !this.stopped) {
      this.pumpTimer = setTimeout(() => this.pump(), Math.ceil(((1 - this.tokens) / rate) * 1000));
    }
  }

  private async run(ns: string): Promise<void> {
    const s = this.state(ns);
    s.queued = false;
    const labs = this.targets.get(ns);
    if (!labs || this.stopped) return;
    if (!this.healthy) return; // Re-marked when the watches are back.
    s.running = true;
    s.dirty = false;
    this.running++;
    const pauses = this.pauses;
    try {
      s.lastEvalAt = Date.now();
      this.stats.evaluations++;
      for (const lab of labs) {
        const st = await this.evaluate(ns, lab, s);
        // A watch went down meanwhile (even if it is back): the verdict may rest on a stale cache,
        // so it is not published; the evaluation the recovery asked for follows.
        if (!this.healthy || this.stopped || this.pauses !== pauses) return;
        await this.o.onState(st);
      }
    } catch (err) {
      this.o.onError?.(err as Error, ns);
    } finally {
      s.running = false;
      this.running--;
      const followUp = s.followUpAt;
      s.followUpAt = 0;
      if (s.dirty) this.mark(ns);
      else if (followUp) this.mark(ns, followUp);
      this.pump();
    }
  }

  /** May this evaluation of `ns` run commands in pods? Decided once, on its first exec. */
  private execGate(s: NsState): () => boolean {
    let decided: boolean | undefined;
    return () => {
      if (decided !== undefined) return decided;
      const now = Date.now();
      this.execTimes = this.execTimes.filter((t) => t > now - 60_000);
      decided =
        now - s.lastExecAt >= this.o.execIntervalMs &&
        this.execTimes.length < this.o.maxExecEvaluationsPerMinute;
      if (decided) {
        s.lastExecAt = now;
        this.execTimes.push(now);
        this.stats.execEvaluations++;
      }
      return decided;
    };
  }

  /** When the exec gate opens again for `s`: its own interval, and a slot in the global minute. */
  private nextExecAt(s: NsState): number {
    const own = s.lastExecAt > 0 ? s.lastExecAt + this.o.execIntervalMs : 0;
    const full = this.execTimes.length >= this.o.maxExecEvaluationsPerMinute;
    // The gate frees a slot when the oldest exec of the last minute leaves it; spread the waiters.
    const slot = full
      ? (this.execTimes[this.execTimes.length - this.o.maxExecEvaluationsPerMinute] ?? 0) +
        60_000 +
        Math.random() * 10_000
      : 0;
    return Math.max(own, slot, Date.now() + this.o.coalesceMs);
  }

  private async evaluate(ns: string, lab: Lab, s: NsState): Promise<LiveState> {
    const allowExec = this.execGate(s);
    let current: string | undefined;
    const deferred = new Set<string>();
    const ran = new Set<string>();
    const result = await grade({
      lab,
      namespace: ns,
      kubeConfig: this.o.kubeConfig,
      disruptive: false,
      settle: false,
      runTimeoutMs: 60_000,
      signal: this.abort.signal,
      cluster: (opts) =>
        new CachedCluster(this.o.kubeConfig, this.watches, {
          ...opts,
          allowExec: () => {
            const ok = allowExec();
            if (ok && current) ran.add(current);
            return ok;
          },
          onExecDeferred: () => {
            this.stats.execDeferred++;
            if (current) deferred.add(current);
          },
        }),
      onEvent: (e) => {
        if (e.type === 'check-started') current = e.checkId;
      },
    });
    const disruptive = new Set(lab.checks.filter((c) => c.disruptive).map((c) => c.id));
    const events = this.watches.list<CoreV1Event>('events', ns);
    const checks = result.checks.map((c): LiveCheck => {
      const key = `${ns}/${lab.id}/${c.id}`;
      if (disruptive.has(c.id)) {
        return {
          id: c.id,
          title: c.title,
          status: 'grade-only',
          message: GRADE_ONLY.en,
          messageText: GRADE_ONLY,
          hint: null,
          evidence: {},
        };
      }
      if (deferred.has(c.id)) {
        // Its in-pod part did not run: show its last verdict that did, else "pending", and come back.
        this.mark(ns, this.nextExecAt(s));
        const last = this.execBacked.get(key);
        if (last) return last;
        return {
          id: c.id,
          title: c.title,
          status: 'pending',
          message: EXEC_PENDING.en,
          messageText: EXEC_PENDING,
          hint: null,
          evidence: localizeEvidence(c.evidence),
        };
      }
      const live = toLive(c, c.status === 'pass' ? [] : eventsFor(events, lab, c, ns));
      if (ran.has(c.id)) this.execBacked.set(key, live);
      return live;
    });
    return {
      namespace: ns,
      labId: lab.id,
      labVersion: lab.version,
      evaluatedAt: new Date(),
      checks,
      events: recentEvents(events),
    };
  }
}

/** The live view's own words for the checks it does not judge now. */
const GRADE_ONLY: Localized = {
  en: 'checked only by Grade: this check changes your workload (it deletes a pod)',
  zh: '仅在评分时检查：此项会改动你的工作负载（删除 Pod）',
};
const EXEC_PENDING: Localized = {
  en: 'the in-pod DNS lookup runs at most every so often in the live view; it runs shortly, and always on Grade',
  zh: '实时视图中 Pod 内的 DNS 解析不会每次都执行；稍后会执行，评分时一定执行',
};

function toLive(c: CheckResult, events: LiveEvent[]): LiveCheck {
  const evidence = localizeEvidence(c.evidence);
  return {
    id: c.id,
    title: c.title,
    status: c.status,
    message: c.message,
    messageText: c.messageText
      ? { zh: localize(c.messageText).zh, en: localize(c.messageText).en }
      : { zh: c.message, en: c.message },
    hint: c.hint,
    evidence: events.length > 0 ? { ...evidence, events } : evidence,
  };
}

/** Events about the objects a failing check names (its parameters), newest first. */
function eventsFor(events: readonly CoreV1Event[], lab: Lab, c: CheckResult, ns: string): LiveEvent[] {
  const check = lab.checks.find((k) => k.id === c.id);
  if (!check) return [];
  let params: Record<string, unknown>;
  try {
    params = resolveCheckParams(lab, check, ns) as Record<string, unknown>;
  } catch {
    return [];
  }
  const names = Object.values(params).filter((v): v is string => typeof v === 'string' && v.length > 0);
  const sts = typeof params.statefulSet === 'string' ? `${params.statefulSet}-` : undefined;
  const about = events.filter((e) => {
    const n = e.involvedObject?.name ?? '';
    return names.includes(n) || (sts !== undefined && n.startsWith(sts));
  });
  return recentEvents(about, 5);
}
