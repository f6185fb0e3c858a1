// Namespace deletion (delete everything inside, then the namespace) and the garbage collector
// (ownerReferences: background deletion of dependents, orphaning, foreground deletion).

import type { Api } from '../api.ts';
import { RESOURCES, findResource, resourceForKind, type ResourceInfo } from '../resources.ts';
import type { KubeObject } from '../runtime-contract.ts';
import type { StoreEvent } from '../store.ts';
import type { Controller, ControllerContext } from './controller.ts';
import { WorkQueue } from './queue.ts';

const NAMESPACES = findResource('namespaces')!;

interface OwnerRef {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  blockOwnerDeletion?: boolean;
}

/** Deletes the content of terminating namespaces, then the namespaces. */
export class NamespaceController implements Controller {
  readonly queue: WorkQueue;
  private readonly api: Api;

  constructor({ api, onError }: ControllerContext) {
    this.api = api;
    this.queue = new WorkQueue('namespaces', (k) => this.sync(k), onError);
  }

  get queues() {
    return [this.queue];
  }

  /** Forget queued work (reset). */
  clear(): void {
    this.queue.clear();
  }

  /** React to a store change. */
  onEvent(ev: StoreEvent): void {
    if (ev.res === NAMESPACES) {
      if (ev.type !== 'DELETED' && ev.object.metadata.deletionTimestamp)
        this.queue.add(ev.object.metadata.name);
      return;
    }
    const ns = ev.object.metadata.namespace;
    if (ev.type === 'DELETED' && ns) {
      const nsObj = this.api.store.get(NAMESPACES, undefined, ns);
      if (nsObj?.metadata.deletionTimestamp) this.queue.add(ns);
    }
  }

  private sync(name: string): void {
    const ns = this.api.store.get(NAMESPACES, undefined, name);
    if (!ns || !ns.metadata.deletionTimestamp) return;
    let remaining = 0;
    for (const res of RESOURCES) {
      if (!res.namespaced) continue;
      for (const obj of this.api.store.list(res, name)) {
        remaining++;
        if (!obj.metadata.deletionTimestamp)
          this.api.delete(res, name, obj.metadata.name, { propagationPolicy: 'Background' });
      }
    }
    if (remaining > 0) {
      let left = 0;
      for (const res of RESOURCES) if (res.namespaced) left += this.api.store.count(res, name);
      if (left > 0) {
        this.queue.addAfter(name, 500);
        return;
      }
    }
    const fins = ns.metadata.finalizers as string[] | undefined;
    if (fins && fins.length) return;
    this.api.removeNow(NAMESPACES, undefined, name);
  }
}

/** Deletes dependents whose owners are gone; honours orphan and foreground finalizers. */
export class GarbageCollector implements Controller {
  readonly queue: WorkQueue;
  /** uid -> where the object lives, for owner lookups */
  private readonly byUid = new Map<string, { res: ResourceInfo; namespace?: string; name: string }>();
  private readonly api: Api;

  constructor({ api, onError }: ControllerContext) {
    this.api = api;
    this.queue = new WorkQueue('garbage-collector', (k) => this.sync(k), onError);
  }

  get queues() {
    return [this.queue];
  }

  /** React to a store change. */
  onEvent(ev: StoreEvent): void {
    const uid = ev.object.metadata.uid;
    if (ev.type === 'DELETED') {
      this.byUid.delete(uid);
      // Dependents of a vanished owner, and owners waiting in foreground for this dependent.
      this.queue.add(`owner-gone|${uid}`);
      for (const ref of (ev.object.metadata.ownerReferences as OwnerRef[] | undefined) ?? [])
        if (ref.uid) this.queue.add(`owner|${ref.uid}`);
      return;
    }
    this.byUid.set(uid, {
      res: ev.res,
      namespace: ev.object.metadata.namespace,
      name: ev.object.metadata.name,
    });
    const fins = (ev.object.metadata.finalizers as string[] | undefined) ?? [];
    if (
      ev.object.metadata.deletionTimestamp &&
      (fins.includes('orphan') || fins.includes('foregroundDeletion'))
    ) {
      this.queue.add(`owner|${uid}`);
    }
  }

  /** Forget state (reset). */
  clear(): void {
    this.queue.clear();
    this.byUid.clear();
  }

  private ownerExists(ref: OwnerRef, namespace: string | undefined): boolean {
    if (!ref.uid) return false;
    if (this.byUid.has(ref.uid)) return true;
    const res = resourceForKind(ref.apiVersion ?? '', ref.kind ?? '');
    if (!res || !ref.name) return false;
    return (
      this.api.store.get(res, res.namespaced ? namespace : undefined, ref.name)?.metadata.uid === ref.uid
    );
  }

  private sync(key: string): void {
    const [kind, uid] = key.split('|') as [string, string];
    if (kind === 'owner-gone') {
      for (const d of this.api.store.dependentsOf(uid)) {
        const obj = this.api.store.get(d.res, d.namespace, d.name);
        if (!obj || obj.metadata.deletionTimestamp) continue;
        const refs = (obj.metadata.ownerReferences as OwnerRef[] | undefined) ?? [];
        if (refs.every((r) => !this.ownerExists(r, d.namespace))) {
          this.api.delete(d.res, d.namespace || undefined, d.name, { propagationPolicy: 'Background' });
        }
      }
      return;
    }
    const where = this.byUid.get(uid);
    if (!where) return;
    const owner = this.api.store.get(where.res, where.namespace, where.name);
    if (!owner || !owner.metadata.deletionTimestamp) return;
    const fins = (owner.metadata.finalizers as string[] | undefined) ?? [];
    const dependents = this.api.store.dependentsOf(uid);
    if (fins.includes('orphan')) {
      for (const d of dependents) {
        this.api.mutate(d.res, d.namespace || undefined, d.name, (o) => {
          o.metadata.ownerReferences = ((o.metadata.ownerReferences as OwnerRef[] | undefined) ?? []).filter(
            (r) => r.uid !== uid,
          );
          if ((o.metadata.ownerReferences as OwnerRef[]).length === 0) delete o.metadata.ownerReferences;
        });
      }
      this.removeFinalizer(owner, where.res, 'orphan');
      return;
    }
    if (fins.includes('foregroundDeletion')) {
      let blocking = 0;
      for (const d of dependents) {
        const obj = this.api.store.get(d.res, d.namespace, d.name);
        if (!obj) continue;
        const ref = ((obj.metadata.ownerReferences as OwnerRef[] | undefined) ?? []).find(
          (r) => r.uid === uid,
        );
        if (ref?.blockOwnerDeletion) blocking++;
        if (!obj.metadata.deletionTimestamp)
          this.api.delete(d.res, d.namespace || undefined, d.name, { propagationPolicy: 'Foreground' });
      }
      if (blocking === 0) this.removeFinalizer(owner, where.res, 'foregroundDeletion');
    }
  }

  private removeFinalizer(owner: KubeObject, res: ResourceInfo, finalizer: string): void {
    this.api.mutate(res, owner.metadata.namespace, owner.metadata.name, (o) => {
      o.metadata.finalizers = ((o.metadata.finalizers as string[] | undefined) ?? []).filter(
        (f) => f !== finalizer,
      );
      if ((o.metadata.finalizers as string[]).length === 0) delete o.metadata.finalizers;
    });
  }
}
