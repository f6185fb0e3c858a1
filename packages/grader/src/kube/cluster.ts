// The grader's view of one cluster during one run: typed API clients whose every request carries a
// deadline, a per-run snapshot that lists each kind once per namespace (checks share it), exec, and
// waits that watch between the lists of poll(), always under a deadline.
import {
  AppsV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  KubernetesObjectApi,
  Observable,
  StorageV1Api,
  Watch,
  type ConfigurationOptions,
  type KubeConfig,
  type KubernetesObject,
  type ObservableMiddleware,
  type V1PersistentVolume,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1Service,
  type V1StatefulSet,
  type V1StorageClass,
  type V1EndpointSlice,
  type CoreV1Event,
} from '@kubernetes/client-node';
import { ClusterError, DeadlineError, httpStatus, toClusterError } from '../errors.ts';
import { pooledAgent } from './agents.ts';
import { isPodReady, raceSignal, sleep, toPlain } from './util.ts';
import { poll } from '../poll.ts';

export { isPodReady, raceSignal, sleep, toPlain };
import { execInPod, type ExecResult } from './exec.ts';

/** A pod watch that ran at least this long before it ended is restarted at once by waitForPod. */
const WATCH_RESTART_AFTER_MS = 1000;

/** Options for a run's cluster access. */
export interface ClusterOptions {
  /** Aborted when the run is cancelled or its deadline passes. */
  signal: AbortSignal;
  /** Deadline of one API request in ms. */
  requestTimeoutMs: number;
}

/** Cluster access for one run. */
export class Cluster {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly storage: StorageV1Api;
  readonly discovery: DiscoveryV1Api;
  private readonly cache = new Map<string, Promise<unknown>>();
  private objectApi: KubernetesObjectApi | undefined;

  constructor(
    readonly kc: KubeConfig,
    readonly opts: ClusterOptions,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.storage = kc.makeApiClient(StorageV1Api);
    this.discovery = kc.makeApiClient(DiscoveryV1Api);
  }

  /**
   * Runs `fn` with per-request options: the run's signal plus a fresh deadline for each request it
   * sends, over the pooled connections. The deadlines are cleared once `fn` is done (an
   * AbortSignal.timeout per request would stay armed for its whole length and then abort, building
   * an error nobody reads, thousands of times in a class regrade).
   */
  private async withRequestOptions<T>(
    signal: AbortSignal | undefined,
    fn: (opts: ConfigurationOptions<ObservableMiddleware>) => Promise<T>,
  ): Promise<T> {
    const { requestTimeoutMs } = this.opts;
    const signals = [this.opts.signal, ...(signal ? [signal] : [])];
    const timers: NodeJS.Timeout[] = [];
    const mw: ObservableMiddleware = {
      pre: (ctx) => {
        const deadline = new AbortController();
        timers.push(
          setTimeout(
            () =>
              deadline.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
            requestTimeoutMs,
          ),
        );
        ctx.setSignal(AbortSignal.any([...signals, deadline.signal]));
        const pooled = pooledAgent(this.kc, ctx.getAgent());
        if (pooled) ctx.setAgent(pooled);
        return new Observable(Promise.resolve(ctx));
      },
      post: (rsp) => new Observable(Promise.resolve(rsp)),
    };
    try {
      return await fn({ middleware: [mw], middlewareMergeStrategy: 'append' });
    } finally {
      for (const t of timers) clearTimeout(t);
    }
  }

  /** Runs one API call, mapping failures to ClusterError. */
  async call<T>(
    what: string,
    fn: (opts: ConfigurationOptions<ObservableMiddleware>) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    try {
      return await this.withRequestOptions(signal, fn);
    } catch (err) {
      throw toClusterError(err, what);
    }
  }

  /** Like call(), but a 404 gives undefined. */
  async callOptional<T>(
    what: string,
    fn: (opts: ConfigurationOptions<ObservableMiddleware>) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T | undefined> {
    try {
      return await this.withRequestOptions(signal, fn);
    } catch (err) {
      if (httpStatus(err) === 404) return undefined;
      throw toClusterError(err, what);
    }
  }

  private cached<T>(key: string, load: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    let p = this.cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = load();
      this.cache.set(key, p);
      // A failed list is not remembered: a later check may try again.
      p.catch(() => {
        if (this.cache.get(key) === p) this.cache.delete(key);
      });
    }
    return raceSignal(p, signal, key);
  }

  /** Forgets the snapshot (after the grader itself changed the cluster, e.g. deleted a pod). */
  invalidate(): void {
    this.cache.clear();
  }

  /** Every PersistentVolume (cluster-scoped), listed once per run. */
  persistentVolumes(signal?: AbortSignal): Promise<V1PersistentVolume[]> {
    return this.cached(
      'list persistentvolumes',
      async () =>
        (await this.call('list persistentvolumes', (o) => this.core.listPersistentVolume({}, o))).items,
      signal,
    );
  }

  /**
   * One PersistentVolume by name, read once per run (from the run's list when it has one): a class
   * has a PV per student, so listing them all in every run costs O(class) per namespace.
   */
  persistentVolume(name: string, signal?: AbortSignal): Promise<V1PersistentVolume | undefined> {
    const what = `read persistentvolume ${name}`;
    const listed = this.cache.get('list persistentvolumes') as Promise<V1PersistentVolume[]> | undefined;
    if (listed)
      return raceSignal(
        listed.then((pvs) => pvs.find((pv) => pv.metadata?.name === name)),
        signal,
        what,
      );
    return this.cached(
      what,
      () => this.callOptional(what, (o) => this.core.readPersistentVolume({ name }, o)),
      signal,
    );
  }

  /** Every StorageClass, listed once per run. */
  storageClasses(signal?: AbortSignal): Promise<V1StorageClass[]> {
    return this.cached(
      'list storageclasses',
      async () => (await this.call('list storageclasses', (o) => this.storage.listStorageClass({}, o))).items,
      signal,
    );
  }

  /** PVCs of a namespace, listed once per run. */
  persistentVolumeClaims(namespace: string, signal?: AbortSignal): Promise<V1PersistentVolumeClaim[]> {
    const what = `list persistentvolumeclaims in ${namespace}`;
    return this.cached(
      what,
      async () =>
        (await this.call(what, (o) => this.core.listNamespacedPersistentVolumeClaim({ namespace }, o))).items,
      signal,
    );
  }

  /** Pods of a namespace, listed once per run. */
  pods(namespace: string, signal?: AbortSignal): Promise<V1Pod[]> {
    const what = `list pods in ${namespace}`;
    return this.cached(
      what,
      async () => (await this.call(what, (o) => this.core.listNamespacedPod({ namespace }, o))).items,
      signal,
    );
  }

  /** Services of a namespace, listed once per run. */
  services(namespace: string, signal?: AbortSignal): Promise<V1Service[]> {
    const what = `list services in ${namespace}`;
    return this.cached(
      what,
      async () => (await this.call(what, (o) => this.core.listNamespacedService({ namespace }, o))).items,
      signal,
    );
  }

  /** StatefulSets of a namespace, listed once per run. */
  statefulSets(namespace: string, signal?: AbortSignal): Promise<V1StatefulSet[]> {
    const what = `list statefulsets in ${namespace}`;
    return this.cached(
      what,
      async () => (await this.call(what, (o) => this.apps.listNamespacedStatefulSet({ namespace }, o))).items,
      signal,
    );
  }

  /** EndpointSlices of a namespace (undefined when the API does not serve them). */
  endpointSlices(namespace: string, signal?: AbortSignal): Promise<V1EndpointSlice[] | undefined> {
    const what = `list endpointslices in ${namespace}`;
    return this.cached(
      what,
      async () =>
        (await this.callOptional(what, (o) => this.discovery.listNamespacedEndpointSlice({ namespace }, o)))
          ?.items,
      signal,
    );
  }

  /** Events of a namespace, listed once per run; undefined when they cannot be read (supporting evidence only). */
  events(namespace: string, signal?: AbortSignal): Promise<CoreV1Event[] | undefined> {
    const what = `list events in ${namespace}`;
    return this.cached(
      what,
      async () => {
        try {
          return (await this.callOptional(what, (o) => this.core.listNamespacedEvent({ namespace }, o)))
            ?.items;
        } catch {
          return undefined;
        }
      },
      signal,
    );
  }

  /** Any kind, listed once per run and namespace, as plain JSON (for object-matches). */
  listAny(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    signal?: AbortSignal,
  ): Promise<KubernetesObject[]> {
    const what = `list ${kind} (${apiVersion})${namespace ? ` in ${namespace}` : ''}`;
    return this.cached(
      what,
      async () => {
        this.objectApi ??= KubernetesObjectApi.makeApiClient(this.kc);
        const api = this.objectApi;
        const list = await this.callOptional(what, () => api.list(apiVersion, kind, namespace));
        return (list?.items ?? []).map((i) => toPlain(i) as KubernetesObject);
      },
      signal,
    );
  }

  /** A fresh read of one pod (not from the snapshot); undefined when it does not exist. */
  readPod(namespace: string, name: string, signal?: AbortSignal): Promise<V1Pod | undefined> {
    return this.callOptional(
      `read pod ${namespace}/${name}`,
      (o) => this.core.readNamespacedPod({ name, namespace }, o),
      signal,
    );
  }

  /** A fresh read of one StatefulSet. */
  readStatefulSet(namespace: string, name: string, signal?: AbortSignal): Promise<V1StatefulSet | undefined> {
    return this.callOptional(
      `read statefulset ${namespace}/${name}`,
      (o) => this.apps.readNamespacedStatefulSet({ name, namespace }, o),
      signal,
    );
  }

  /** Deletes a pod gracefully (the pod's own grace period, never forced), only if it still has `uid`. */
  async deletePod(namespace: string, name: string, uid: string, signal?: AbortSignal): Promise<void> {
    await this.call(
      `delete pod ${namespace}/${name}`,
      (o) => this.core.deleteNamespacedPod({ name, namespace, body: { preconditions: { uid } } }, o),
      signal,
    );
    this.invalidate();
  }

  /** The tail of a container's log (previous: the last terminated instance); undefined when unavailable. */
  async podLog(
    namespace: string,
    name: string,
    container: string | undefined,
    previous: boolean,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    try {
      return await this.call(
        `read log of ${namespace}/${name}`,
        (o) => this.core.readNamespacedPodLog({ name, namespace, container, previous, tailLines: 50 }, o),
        signal,
      );
    } catch {
      // Logs are supporting evidence only; their absence must not turn a verdict into an error.
      return undefined;
    }
  }

  /** Runs a command in a container with a hard deadline (stdin: see ExecRequest.stdin). */
  exec(
    namespace: string,
    pod: string,
    container: string,
    command: string[],
    timeoutMs: number,
    signal?: AbortSignal,
    stdin?: string,
  ): Promise<ExecResult> {
    const signals = [this.opts.signal, ...(signal ? [signal] : [])];
    return execInPod(this.kc, {
      namespace,
      pod,
      container,
      command,
      timeoutMs,
      signal: AbortSignal.any(signals),
      stdin,
    });
  }

  /**
   * Waits until `done(pod)` holds for the named pod (undefined = absent): poll() lists it, then
   * watches it from that list, so a change ends the pause at once. A watch the server ends after it
   * ran a while is followed by a new list and watch at once; the pause also ends after `pollMs`, as a
   * watch may stall (and one refused at once leaves plain polling every `pollMs`). Returns the pod
   * that satisfied it, or throws DeadlineError.
   */
  async waitForPod(
    namespace: string,
    name: string,
    done: (pod: V1Pod | undefined) => boolean,
    opts: {
      timeoutMs: number;
      pollMs?: number;
      signal?: AbortSignal;
      onState?: (pod: V1Pod | undefined) => void;
    },
  ): Promise<V1Pod | undefined> {
    const signal = AbortSignal.any([this.opts.signal, ...(opts.signal ? [opts.signal] : [])]);
    const watch = new Watch(this.kc);
    let rv: string | undefined;
    const list = async (): Promise<V1Pod | undefined> => {
      const items = await this.call(
        `list pod ${namespace}/${name}`,
        (o) => this.core.listNamespacedPod({ namespace, fieldSelector: `metadata.name=${name}` }, o),
        signal,
      );
      rv = items.metadata?.resourceVersion;
      const pod = items.items.find((p) => p.metadata?.name === name);
      opts.onState?.(pod);
      return pod;
    };
    // The pause between lists: a watch from the last list's resourceVersion, ended early by a pod
    // that satisfies `done` (the next list then returns it through the typed client).
    const watchPause = (wait: number): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        let controller: AbortController | undefined;
        let over = false;
        const end = () => {
          if (over) return;
          over = true;
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          controller?.abort();
          if (signal.aborted)
            reject(
              new ClusterError(
                'timeout',
                `waiting for pod ${namespace}/${name}: the check's deadline passed or the run was cancelled`,
              ),
            );
          else resolve();
        };
        const onAbort = () => end();
        const timer = setTimeout(end, wait);
        const started = Date.now();
        signal.addEventListener('abort', onAbort, { once: true });
        if (signal.aborted) return end();
        watch
          .watch(
            `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
            { fieldSelector: `metadata.name=${name}`, resourceVersion: rv, allowWatchBookmarks: true },
            (type: string, obj: unknown) => {
              if (type === 'ERROR' || type === 'BOOKMARK') return;
              const p = obj as V1Pod;
              if (p?.metadata?.name !== name) return;
              const current = type === 'DELETED' ? undefined : p;
              opts.onState?.(current);
              if (done(current)) end();
            },
            () => {
              // The watch ended (server close, 410, error): list again now, unless it ended at once
              // (refused: polling stays in charge, without a list-watch loop).
              if (Date.now() - started >= WATCH_RESTART_AFTER_MS) end();
            },
          )
          .then((c) => {
            controller = c;
            if (over) c.abort();
          })
          .catch(() => {
            // A watch that cannot start leaves polling in charge.
          });
      });
    const r = await poll(list, done, {
      withinMs: opts.timeoutMs,
      everyMs: opts.pollMs ?? 5000,
      pauses: 'no-late-try',
      pause: watchPause,
    });
    if (r.done) return r.value;
    throw new DeadlineError(`waiting for pod ${namespace}/${name}`, opts.timeoutMs);
  }
}
