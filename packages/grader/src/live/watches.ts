// The live lab's view of the cluster: ONE cluster-wide ListWatch per kind the checks read (not one
// per namespace and kind), each a cache of plain JSON objects. client-node's ListWatch resumes from
// the last resourceVersion when the server closes a watch and relists on 410 Gone; what it leaves
// to us is an error (apiserver unreachable, 403, 5xx): it stops, and this restarts it with backoff,
// listing again first (after an outage the old resourceVersion may mean nothing any more).
// A kind whose watch is not established is "down": its cache may be stale, so the engine pauses.
import {
  AppsV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  ListWatch,
  StorageV1Api,
  Watch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { toPlain } from '../kube/util.ts';

/** The kinds the shipped primitives read, plus Events (the evidence a student sees). */
export const LIVE_KINDS = [
  'persistentvolumes',
  'persistentvolumeclaims',
  'statefulsets',
  'pods',
  'services',
  'endpointslices',
  'storageclasses',
  'events',
] as const;

/** One of LIVE_KINDS. */
export type LiveKind = (typeof LIVE_KINDS)[number];

/** A change seen by a watch (or by a relist). */
export interface LiveChange {
  kind: LiveKind;
  verb: 'add' | 'update' | 'delete';
  object: KubernetesObject;
}

/** Health of the watches: every kind listed and watching, or which are not and why. */
export interface WatchHealth {
  ok: boolean;
  /** Kinds whose watch is not established, with the last error. */
  down: Partial<Record<LiveKind, string>>;
}

/** Options of LiveWatches. */
export interface LiveWatchesOptions {
  /** First retry after a watch error, ms (doubling up to maxBackoffMs). Default 500. */
  minBackoffMs?: number;
  /** Default 10000. */
  maxBackoffMs?: number;
  /** Called for every object change, after the cache holds it. */
  onChange?: (change: LiveChange) => void;
  /** Called whenever the health changes (a kind goes down or comes back). */
  onHealth?: (health: WatchHealth) => void;
}

interface Entry {
  kind: LiveKind;
  lw: ListWatch<KubernetesObject>;
  up: boolean;
  error: string | undefined;
  backoff: number;
  timer: NodeJS.Timeout | undefined;
  /** Set by an error: the next watch lists first instead of resuming. */
  relist: boolean;
}

/**
 * A Watch that tells its owner when a watch request was established (the 200 arrived), and that
 * answers the first watch after an outage as a server answers a resourceVersion it no longer has
 * (410 Gone), so ListWatch lists again, deleting from its cache what is gone, before it watches.
 * Resuming from the old resourceVersion could succeed against an apiserver whose storage was
 * replaced (its versions count up again) and leave deleted objects in the cache for good.
 */
class ReportingWatch extends Watch {
  constructor(
    kc: KubeConfig,
    private readonly entry: () => Entry,
    private readonly established: () => void,
  ) {
    super(kc);
  }

  override async watch(
    path: string,
    queryParams: Record<string, unknown>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const entry = this.entry();
    if (entry.relist) {
      entry.relist = false;
      // After ListWatch has stored this request (it awaits it), as a real 410 would arrive.
      setImmediate(() => done(Object.assign(new Error('relisting after an outage'), { statusCode: 410 })));
      return new AbortController();
    }
    let failed = false;
    const controller = await super.watch(
      path,
      { ...queryParams, allowWatchBookmarks: true },
      callback,
      (err: unknown) => {
        if (err) failed = true;
        done(err);
      },
    );
    if (!failed) this.established();
    return controller;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code =
      (err as { statusCode?: number; code?: number | string }).statusCode ??
      (err as { code?: number | string }).code;
    return code !== undefined ? `${String(code)} ${err.message}` : err.message;
  }
  return String(err);
}

/** Plain JSON items (the watch delivers plain JSON too, so the cache holds one shape). */
function plainList(list: KubernetesListObject<KubernetesObject>): KubernetesListObject<KubernetesObject> {
  return { ...list, items: list.items.map((i) => toPlain(i) as KubernetesObject) };
}

/** The cluster-wide watch caches of every LIVE_KIND. */
export class LiveWatches {
  private readonly entries = new Map<LiveKind, Entry>();
  private stopped = false;
  private lastHealth = '';

  constructor(
    kc: KubeConfig,
    private readonly opts: LiveWatchesOptions = {},
  ) {
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    const storage = kc.makeApiClient(StorageV1Api);
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    const lists: Record<LiveKind, [string, () => Promise<KubernetesListObject<KubernetesObject>>]> = {
      persistentvolumes: ['/api/v1/persistentvolumes', () => core.listPersistentVolume()],
      persistentvolumeclaims: [
        '/api/v1/persistentvolumeclaims',
        () => core.listPersistentVolumeClaimForAllNamespaces(),
      ],
      statefulsets: ['/apis/apps/v1/statefulsets', () => apps.listStatefulSetForAllNamespaces()],
      pods: ['/api/v1/pods', () => core.listPodForAllNamespaces()],
      services: ['/api/v1/services', () => core.listServiceForAllNamespaces()],
      endpointslices: [
        '/apis/discovery.k8s.io/v1/endpointslices',
        () => discovery.listEndpointSliceForAllNamespaces(),
      ],
      storageclasses: ['/apis/storage.k8s.io/v1/storageclasses', () => storage.listStorageClass()],
      events: ['/api/v1/events', () => core.listEventForAllNamespaces()],
    };
    for (const kind of LIVE_KINDS) {
      const [path, list] = lists[kind];
      // Created before the ListWatch so the watch can report on its entry.
      const entry = {
        kind,
        up: false,
        error: 'not started',
        backoff: opts.minBackoffMs ?? 500,
        timer: undefined,
        relist: false,
      } as unknown as Entry;
      const watch = new ReportingWatch(
        kc,
        () => entry,
        () => this.established(entry),
      );
      entry.lw = new ListWatch<KubernetesObject>(path, watch, async () => plainList(await list()), false);
      for (const verb of ['add', 'update', 'delete'] as const) {
        entry.lw.on(verb, (object: KubernetesObject) => this.opts.onChange?.({ kind, verb, object }));
      }
      entry.lw.on('error', (err: unknown) => this.failed(entry, err));
      this.entries.set(kind, entry);
    }
  }

  /** Lists and watches every kind; resolves once each has been tried once (see health()). */
  async start(): Promise<void> {
    this.stopped = false;
    await Promise.all([...this.entries.values()].map((e) => this.run(e)));
  }

  /** Stops every watch. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const e of this.entries.values()) {
      clearTimeout(e.timer);
      await e.lw.stop();
    }
  }

  /** Which kinds are established. */
  health(): WatchHealth {
    const down: WatchHealth['down'] = {};
    for (const e of this.entries.values()) if (!e.up) down[e.kind] = e.error ?? 'not established';
    return { ok: Object.keys(down).length === 0, down };
  }

  /** The cached objects of a kind (one namespace, or all). */
  list<T extends KubernetesObject>(kind: LiveKind, namespace?: string): T[] {
    return this.entries.get(kind)!.lw.list(namespace) as T[];
  }

  /** One cached object. */
  get<T extends KubernetesObject>(kind: LiveKind, name: string, namespace?: string): T | undefined {
    return this.entries.get(kind)!.lw.get(name, namespace) as T | undefined;
  }

  private async run(e: Entry): Promise<void> {
    if (this.stopped) return;
    try {
      await e.lw.start();
    } catch (err) {
      this.failed(e, err);
    }
  }

  private established(e: Entry): void {
    e.backoff = this.opts.minBackoffMs ?? 500;
    if (e.up) return;
    e.up = true;
    e.error = undefined;
    this.report();
  }

  private failed(e: Entry, err: unknown): void {
    if (this.stopped) return; // stop() aborts the requests: that is no outage.
    e.up = false;
    e.error = describe(err);
    e.relist = true;
    this.report();
    if (this.stopped || e.timer) return;
    // ListWatch stops after an error; start() would resume from the last resourceVersion, but the
    // watch answers it with 410 (see ReportingWatch), so the kind is listed again.
    e.timer = setTimeout(() => {
      e.timer = undefined;
      void this.run(e);
    }, e.backoff);
    e.backoff = Math.min(this.opts.maxBackoffMs ?? 10_000, e.backoff * 2);
  }

  private report(): void {
    const h = this.health();
    const key = JSON.stringify(h);
    if (key === this.lastHealth) return;
    this.lastHealth = key;
    this.opts.onHealth?.(h);
  }
}
