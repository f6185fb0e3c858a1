// The object store: indexed maps per resource and namespace, a monotonically increasing
// resourceVersion, a bounded window of change events for watches, and an owner index for the
// garbage collector. Stored objects are never mutated in place: every write stores a new object,
// so the event window can hold references without copying.

import { resourceKey, type ResourceInfo } from './resources.ts';
import type { KubeObject } from './runtime-contract.ts';

/** A change to one object. */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  res: ResourceInfo;
  object: KubeObject;
  /** The previous state (MODIFIED and DELETED). */
  old?: KubeObject;
  rv: number;
}

/** Called synchronously after each change. */
export type StoreListener = (event: StoreEvent) => void;

type NsMap = Map<string, Map<string, KubeObject>>;

/** Indexed, versioned in-memory storage for every served resource. */
export class Store {
  private rv = 1;
  private readonly data = new Map<string, NsMap>();
  private history: StoreEvent[] = [];
  private historyStart = 0; // events with rv <= this have been dropped from the window
  private readonly listeners = new Set<StoreListener>();
  /** owner uid -> keys "resKey|ns|name" of objects whose ownerReferences name it */
  private readonly dependents = new Map<string, Set<string>>();
  private readonly resByKey = new Map<string, ResourceInfo>();

  constructor(private readonly windowSize = 50_000) {}

  /** The resourceVersion of the newest change. */
  get resourceVersion(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch may resume from. */
  get oldestResumable(): number {
    return this.historyStart;
  }

  private nsMap(res: ResourceInfo): NsMap {
    const key = resourceKey(res);
    let m = this.data.get(key);
    if (!m) {
      m = new Map();
      this.data.set(key, m);
      this.resByKey.set(key, res);
    }
    return m;
  }

  /** One object, or undefined. */
  get(res: ResourceInfo, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.data
      .get(resourceKey(res))
      ?.get(res.namespaced ? (namespace ?? '') : '')
      ?.get(name);
  }

  /** Objects of a resource, in one namespace or all, sorted by namespace then name like etcd keys. */
  list(res: ResourceInfo, namespace?: string): KubeObject[] {
    const m = this.data.get(resourceKey(res));
    if (!m) return [];
    if (res.namespaced && namespace !== undefined && namespace !== '') {
      const inner = m.get(namespace);
      if (!inner) return [];
      return [...inner.values()].sort(byName);
    }
    const out: KubeObject[] = [];
    const nss = [...m.keys()].sort();
    for (const ns of nss) out.push(...[...m.get(ns)!.values()].sort(byName));
    return out;
  }

  /** Count objects of a resource in a namespace without copying. */
  count(res: ResourceInfo, namespace: string): number {
    return this.data.get(resourceKey(res))?.get(namespace)?.size ?? 0;
  }

  /** Namespaces that hold at least one object of the resource. */
  namespacesOf(res: ResourceInfo): string[] {
    return [...(this.data.get(resourceKey(res))?.keys() ?? [])];
  }

  /** Keys of objects that name ownerUid in their ownerReferences. */
  dependentsOf(ownerUid: string): { res: ResourceInfo; namespace: string; name: string }[] {
    const set = this.dependents.get(ownerUid);
    if (!set) return [];
    return [...set].map((k) => {
      const [rk, ns, name] = k.split('|') as [string, string, string];
      return { res: this.resByKey.get(rk)!, namespace: ns, name };
    });
  }

  /** Store a new object (the caller has checked it does not exist) and stamp its resourceVersion. */
  insert(res: ResourceInfo, obj: KubeObject): KubeObject {
    const stored = this.stamp(obj);
    const ns = res.namespaced ? (obj.metadata.namespace ?? '') : '';
    const m = this.nsMap(res);
    let inner = m.get(ns);
    if (!inner) {
      inner = new Map();
      m.set(ns, inner);
    }
    inner.set(obj.metadata.name, stored);
    this.indexOwners(res, undefined, stored);
    this.emit({ type: 'ADDED', res, object: stored, rv: this.rv });
    return stored;
  }

  /** Replace an existing object and stamp a new resourceVersion. */
  replace(res: ResourceInfo, obj: KubeObject): KubeObject {
    const ns = res.namespaced ? (obj.metadata.namespace ?? '') : '';
    const inner = this.nsMap(res).get(ns);
    const old = inner?.get(obj.metadata.name);
    if (!inner || !old) throw new Error(`store: replace of missing ${res.plural} ${ns}/${obj.metadata.name}`);
    const stored = this.stamp(obj);
    inner.set(obj.metadata.name, stored);
    this.indexOwners(res, old, stored);
    this.emit({ type: 'MODIFIED', res, object: stored, old, rv: this.rv });
    return stored;
  }

  /** Remove an object; returns its final state (with a fresh resourceVersion), or undefined. */
  remove(res: ResourceInfo, namespace: string | undefined, name: string): KubeObject | undefined {
    const ns = res.namespaced ? (namespace ?? '') : '';
    const m = this.nsMap(res);
    const inner = m.get(ns);
    const old = inner?.get(name);
    if (!inner || !old) return undefined;
    inner.delete(name);
    if (inner.size === 0) m.delete(ns);
    const final = this.stamp(old);
    this.indexOwners(res, old, undefined);
    this.emit({ type: 'DELETED', res, object: final, old, rv: this.rv });
    return final;
  }

  /** Events after rv, or 'expired' when rv is older than the window. */
  eventsSince(rv: number): StoreEvent[] | 'expired' {
    if (rv < this.historyStart) return 'expired';
    // history is sorted by rv; binary search the first event with rv > given.
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid]!.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  /** Subscribe to changes; returns an unsubscribe function. */
  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forget every object; watchers see nothing (they are closed by the server). */
  clear(): void {
    this.data.clear();
    this.dependents.clear();
    this.history = [];
    this.historyStart = this.rv;
  }

  private stamp(obj: KubeObject): KubeObject {
    this.rv += 1;
    return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv) } };
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > this.windowSize * 1.25) {
      const drop = this.history.length - this.windowSize;
      this.historyStart = this.history[drop - 1]!.rv;
      this.history = this.history.slice(drop);
    }
    for (const l of [...this.listeners]) l(event);
  }

  private indexOwners(res: ResourceInfo, old: KubeObject | undefined, next: KubeObject | undefined): void {
    const ref = (o: KubeObject) => `${resourceKey(res)}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;
    for (const uid of ownerUids(old)) {
      const set = this.dependents.get(uid);
      set?.delete(ref(old!));
      if (set && set.size === 0) this.dependents.delete(uid);
    }
    for (const uid of ownerUids(next)) {
      let set = this.dependents.get(uid);
      if (!set) {
        set = new Set();
        this.dependents.set(uid, set);
      }
      set.add(ref(next!));
    }
  }
}

function ownerUids(obj: KubeObject | undefined): string[] {
  const refs = obj?.metadata.ownerReferences;
  if (!Array.isArray(refs)) return [];
  return refs.map((r) => (r as { uid?: string }).uid).filter((u): u is string => typeof u === 'string');
}

function byName(a: KubeObject, b: KubeObject): number {
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}
