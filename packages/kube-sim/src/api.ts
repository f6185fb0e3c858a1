// The registry layer between HTTP and the store: what the API server does to a request before
// and after storage (defaulting, admission, validation, resourceVersion preconditions, status
// subresources, graceful deletion, finalizers). The HTTP server, sim.apply and the controllers
// all go through it.

import { randomUUID } from 'node:crypto';
import { applyDefaults } from './defaults.ts';
import {
  ApiError,
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  invalid,
  notFound,
} from './errors.ts';
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from './patch.ts';
import { apiVersionOf, findResource, type ResourceInfo } from './resources.ts';
import type { KubeObject } from './runtime-contract.ts';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import type { Store } from './store.ts';
import { pruneUnknownFields } from './schema.ts';
import { validateObject, validateUpdate } from './validation.ts';

/** DeleteOptions as clients send them (body or query). */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

/** Options common to writes. */
export interface WriteOptions {
  dryRun?: boolean;
  subresource?: string;
}

/** A patch body with its content type. */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const NAMESPACES = findResource('namespaces')!;
const STORAGECLASSES = findResource('storageclasses')!;
const SERVICES = findResource('services')!;

const clone = <T>(v: T): T => structuredClone(v);
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Random suffix in the alphabet the API server's generateName uses. */
export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
  return s;
}

/** The API semantics over one Store. */
export class Api {
  private readonly usedClusterIps = new Set<string>();
  private nextClusterIp = 10;

  constructor(readonly store: Store) {}

  /** GET one object; 404 Status when missing. */
  get(res: ResourceInfo, namespace: string | undefined, name: string): KubeObject {
    const obj = this.store.get(res, namespace, name);
    if (!obj) throw notFound(res, name);
    return obj;
  }

  /** LIST with label and field selectors. */
  list(res: ResourceInfo, namespace: string | undefined, labelSelector?: string, fieldSelector?: string): KubeObject[] {
    const ls = parseLabelSelector(labelSelector);
    const fs = parseFieldSelector(fieldSelector);
    const all = this.store.list(res, namespace);
    if (ls.requirements.length === 0 && fs.terms.length === 0) return all;
    return all.filter((o) => matchesLabels(ls, o.metadata.labels) && matchesFields(fs, o));
  }

  /** POST: create a new object. */
  create(res: ResourceInfo, namespace: string | undefined, body: unknown, opts: WriteOptions = {}): KubeObject {
    if (!isObj(body) || !isObj(body.metadata) && body.metadata !== undefined) throw badRequest('the body of the request was in an unknown format');
    const obj = clone(body) as KubeObject;
    obj.apiVersion = apiVersionOf(res);
    obj.kind = res.kind;
    obj.metadata = (isObj(obj.metadata) ? obj.metadata : {}) as KubeObject['metadata'];
    const meta = obj.metadata;
    if (res.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace ?? meta.namespace ?? 'default';
      const ns = this.store.get(NAMESPACES, undefined, meta.namespace);
      if (!ns) throw notFound(NAMESPACES, meta.namespace);
      if (ns.metadata.deletionTimestamp && res.kind !== 'Event') {
        throw forbidden(
          `${res.plural} "${meta.name ?? ''}" is forbidden: unable to create new content in namespace ${meta.namespace} because it is being terminated`,
          { name: meta.name, kind: res.plural },
        );
      }
    } else delete meta.namespace;
    if (!meta.name && typeof meta.generateName === 'string' && meta.generateName) meta.name = meta.generateName + randomSuffix();
    meta.name = meta.name ?? '';
    if (opts.subresource) throw new ApiError(405, 'MethodNotAllowed', `create is not supported on ${res.plural}/${opts.subresource}`);

    pruneUnknownFields(res.kind, obj);
    this.prepareForCreate(res, obj);
    applyDefaults(res.kind, obj);
    this.admit(res, obj);
    const causes = validateObject(res.kind, obj, this.claimTemplateNames(obj));
    if (causes.length) throw invalid(res, meta.name, causes);
    if (this.store.get(res, meta.namespace, meta.name)) throw alreadyExists(res, meta.name);

    meta.uid = randomUUID();
    meta.creationTimestamp = now();
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (res.kind === 'StatefulSet') meta.generation = 1;
    else delete meta.generation;
    if (opts.dryRun) return { ...obj, metadata: { ...meta, resourceVersion: String(this.store.resourceVersion) } };
    if (res.kind === 'Service') this.allocateClusterIp(obj);
    return this.store.insert(res, obj);
  }

  /** PUT: replace an object (or its status with subresource 'status'). */
  update(res: ResourceInfo, namespace: string | undefined, name: string, body: unknown, opts: WriteOptions = {}): KubeObject {
    if (!isObj(body)) throw badRequest('the body of the request was in an unknown format');
    const old = this.get(res, namespace, name);
    const incoming = clone(body) as KubeObject;
    incoming.metadata = (isObj(incoming.metadata) ? incoming.metadata : {}) as KubeObject['metadata'];
    if (incoming.metadata.name && incoming.metadata.name !== name) {
      throw badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
    }
    const rv = incoming.metadata.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) throw conflict(res, name);
    if (incoming.metadata.uid && incoming.metadata.uid !== old.metadata.uid) {
      throw conflict(res, name, `Precondition failed: UID in precondition: ${incoming.metadata.uid}, UID in object meta: ${old.metadata.uid}`);
    }
    return this.writeUpdate(res, old, incoming, opts);
  }

  /** PATCH in one of the four patch formats. */
  patch(res: ResourceInfo, namespace: string | undefined, name: string, type: PatchType, body: unknown, opts: WriteOptions = {}): KubeObject {
    const old = this.store.get(res, namespace, name);
    if (!old) {
      if (type === 'apply' && !opts.subresource) return this.create(res, namespace, { ...(body as Obj), metadata: { ...((body as Obj).metadata as Obj), name } }, opts);
      throw notFound(res, name);
    }
    let patched: unknown;
    try {
      if (type === 'json') patched = jsonPatch(old, body);
      else if (type === 'merge') patched = mergePatch(old, body);
      else patched = strategicMergePatch(res.kind, old, body);
    } catch (err) {
      if (err instanceof PatchError) throw new ApiError(422, 'Invalid', err.message);
      throw err;
    }
    if (!isObj(patched)) throw badRequest('the patch produced an object of the wrong type');
    const next = patched as KubeObject;
    next.metadata = (isObj(next.metadata) ? next.metadata : {}) as KubeObject['metadata'];
    const rv = next.metadata.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) throw conflict(res, name);
    if (next.metadata.uid !== undefined && next.metadata.uid !== old.metadata.uid) {
      throw conflict(res, name, `Precondition failed: UID in precondition: ${String(next.metadata.uid)}, UID in object meta: ${old.metadata.uid}`);
    }
    return this.writeUpdate(res, old, next, opts);
  }

  /** DELETE one object: graceful for pods, finalizers and propagation honoured. */
  delete(res: ResourceInfo, namespace: string | undefined, name: string, opts: DeleteOptions = {}): KubeObject {
    const old = this.get(res, namespace, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw conflict(res, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(res, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
    }
    if (opts.dryRun) return old;
    const next = clone(old);
    const meta = next.metadata;
    const finalizers = new Set<string>(Array.isArray(meta.finalizers) ? (meta.finalizers as string[]) : []);
    if (opts.propagationPolicy === 'Orphan') finalizers.add('orphan');
    if (opts.propagationPolicy === 'Foreground') finalizers.add('foregroundDeletion');

    if (res.kind === 'Namespace') {
      if (meta.deletionTimestamp) return old;
      meta.deletionTimestamp = now();
      meta.deletionGracePeriodSeconds = 0;
      if (finalizers.size) meta.finalizers = [...finalizers];
      next.status = { ...(next.status ?? {}), phase: 'Terminating' };
      return this.store.replace(res, next);
    }

    if (res.kind === 'Pod') {
      const spec = (next.spec ?? {}) as Obj;
      let grace = opts.gracePeriodSeconds ?? (typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30);
      if (!spec.nodeName) grace = 0; // never scheduled: nothing to stop
      const prevGrace = typeof meta.deletionGracePeriodSeconds === 'number' ? meta.deletionGracePeriodSeconds : undefined;
      if (meta.deletionTimestamp && (prevGrace === undefined || grace >= prevGrace) && grace !== 0) return old;
      if (grace === 0 && finalizers.size === 0) return this.store.remove(res, namespace, name) ?? old;
      meta.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      meta.deletionGracePeriodSeconds = grace;
      if (finalizers.size) meta.finalizers = [...finalizers];
      return this.store.replace(res, next);
    }

    if (finalizers.size === 0) return this.store.remove(res, namespace, name) ?? old;
    if (meta.deletionTimestamp) {
      if (JSON.stringify([...finalizers]) === JSON.stringify(meta.finalizers ?? [])) return old;
      meta.finalizers = [...finalizers];
      return this.store.replace(res, next);
    }
    meta.deletionTimestamp = now();
    meta.deletionGracePeriodSeconds = 0;
    meta.finalizers = [...finalizers];
    return this.store.replace(res, next);
  }

  /** Controller write: mutate a copy of the current object and store it when it changed. */
  mutate(res: ResourceInfo, namespace: string | undefined, name: string, fn: (obj: KubeObject) => void): KubeObject | undefined {
    const cur = this.store.get(res, namespace, name);
    if (!cur) return undefined;
    const next = clone(cur);
    fn(next);
    if (JSON.stringify(next) === JSON.stringify(cur)) return cur;
    if (next.metadata.deletionTimestamp && res.kind !== 'Pod' && res.kind !== 'Namespace' && !hasFinalizers(next)) {
      return this.store.remove(res, namespace, name);
    }
    return this.store.replace(res, next);
  }

  /** Controller create: defaults and admission, no user-facing validation shortcuts. */
  createInternal(res: ResourceInfo, obj: KubeObject): KubeObject {
    return this.create(res, obj.metadata.namespace, obj);
  }

  /** Remove an object outright (the kubelet finishing a pod deletion, the namespace controller). */
  removeNow(res: ResourceInfo, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.store.remove(res, namespace, name);
  }

  /** Release a Service's cluster IP for reuse. */
  releaseClusterIp(svc: KubeObject): void {
    const ip = (svc.spec as Obj | undefined)?.clusterIP;
    if (typeof ip === 'string') this.usedClusterIps.delete(ip);
  }

  /** Forget allocations (sim.reset). */
  resetAllocations(): void {
    this.usedClusterIps.clear();
    this.nextClusterIp = 10;
  }

  private writeUpdate(res: ResourceInfo, old: KubeObject, incoming: KubeObject, opts: WriteOptions): KubeObject {
    const name = old.metadata.name;
    let next: KubeObject;
    if (opts.subresource === 'status') {
      next = clone(old);
      if (incoming.status !== undefined) next.status = incoming.status;
      else delete next.status;
    } else if (opts.subresource === 'finalize' && res.kind === 'Namespace') {
      next = clone(old);
      next.spec = { ...(old.spec ?? {}), finalizers: (incoming.spec as Obj | undefined)?.finalizers ?? [] };
    } else if (opts.subresource) {
      throw new ApiError(404, 'NotFound', `the server could not find the requested resource`);
    } else {
      next = incoming;
      next.apiVersion = apiVersionOf(res);
      next.kind = res.kind;
      if (res.hasStatus) {
        if (old.status !== undefined) next.status = clone(old.status);
        else delete next.status;
      }
      pruneUnknownFields(res.kind, next);
      applyDefaults(res.kind, next);
      if (res.kind === 'Service') {
        const spec = (next.spec ?? {}) as Obj;
        const oldSpec = (old.spec ?? {}) as Obj;
        if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = oldSpec.clusterIP;
        if (spec.clusterIPs === undefined) spec.clusterIPs = oldSpec.clusterIPs;
        next.spec = spec;
      }
      if (res.kind === 'Namespace') {
        next.spec = old.spec;
      }
    }
    // Server-owned metadata never comes from the client.
    const m = next.metadata;
    m.name = name;
    if (res.namespaced) m.namespace = old.metadata.namespace;
    else delete m.namespace;
    m.uid = old.metadata.uid;
    m.creationTimestamp = old.metadata.creationTimestamp;
    if (old.metadata.deletionTimestamp) {
      m.deletionTimestamp = old.metadata.deletionTimestamp;
      m.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
    } else {
      delete m.deletionTimestamp;
      delete m.deletionGracePeriodSeconds;
    }
    if (old.metadata.generation !== undefined) m.generation = old.metadata.generation;
    else delete m.generation;
    if (res.kind === 'StatefulSet' && JSON.stringify(next.spec) !== JSON.stringify(old.spec)) {
      m.generation = (typeof old.metadata.generation === 'number' ? old.metadata.generation : 1) + 1;
    }
    m.resourceVersion = old.metadata.resourceVersion;

    const causes = [...validateObject(res.kind, next, this.claimTemplateNames(next)), ...validateUpdate(res.kind, next, old)];
    if (causes.length) throw invalid(res, name, causes);
    if (m.deletionTimestamp && !old.metadata.deletionTimestamp) throw badRequest('deletionTimestamp cannot be set by a client');
    if (opts.dryRun) return next;
    if (JSON.stringify(next) === JSON.stringify(old)) return old;
    if (m.deletionTimestamp && res.kind !== 'Pod' && res.kind !== 'Namespace' && !hasFinalizers(next)) {
      return this.store.remove(res, old.metadata.namespace, name) ?? next;
    }
    return this.store.replace(res, next);
  }

  /** What the registry strategies' PrepareForCreate do: reset status to its initial value. */
  private prepareForCreate(res: ResourceInfo, obj: KubeObject): void {
    switch (res.kind) {
      case 'Namespace':
        obj.spec = { finalizers: ['kubernetes'] };
        obj.status = { phase: 'Active' };
        break;
      case 'PersistentVolume':
        obj.status = { phase: 'Pending' };
        break;
      case 'PersistentVolumeClaim':
        obj.status = { phase: 'Pending' };
        break;
      case 'Pod':
        obj.status = { phase: 'Pending', qosClass: qosClass(obj) };
        break;
      case 'StatefulSet':
        obj.status = { replicas: 0, availableReplicas: 0 };
        break;
      case 'Service':
        obj.status = { loadBalancer: {} };
        break;
      default:
        break;
    }
  }

  /** Admission plugins that matter here: DefaultStorageClass and storage object in-use protection. */
  private admit(res: ResourceInfo, obj: KubeObject): void {
    const meta = obj.metadata;
    const addFinalizer = (f: string) => {
      const list = Array.isArray(meta.finalizers) ? (meta.finalizers as string[]) : [];
      if (!list.includes(f)) meta.finalizers = [...list, f];
    };
    if (res.kind === 'PersistentVolumeClaim') {
      const spec = (obj.spec ?? {}) as Obj;
      if (spec.storageClassName === undefined || spec.storageClassName === null) {
        const def = this.store
          .list(STORAGECLASSES)
          .filter((sc) => sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true')
          .sort((a, b) => String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)))[0];
        if (def) spec.storageClassName = def.metadata.name;
      }
      addFinalizer('kubernetes.io/pvc-protection');
    }
    if (res.kind === 'PersistentVolume') addFinalizer('kubernetes.io/pv-protection');
  }

  private allocateClusterIp(svc: KubeObject): void {
    const spec = (svc.spec ?? {}) as Obj;
    if (spec.type === 'ExternalName') return;
    if (spec.clusterIP === 'None') {
      spec.clusterIPs = ['None'];
      return;
    }
    let ip = typeof spec.clusterIP === 'string' && spec.clusterIP ? spec.clusterIP : undefined;
    if (ip && this.usedClusterIps.has(ip)) {
      throw invalid(SERVICES, svc.metadata.name, [
        { reason: 'FieldValueInvalid', message: `Invalid value: []string{"${ip}"}: failed to allocate IP ${ip}: provided IP is already allocated`, field: 'spec.clusterIPs' },
      ]);
    }
    while (!ip) {
      const n = this.nextClusterIp++;
      const candidate = `10.96.${(n >> 8) & 0xff}.${n & 0xff}`;
      if ((n & 0xff) !== 0 && (n & 0xff) !== 255 && !this.usedClusterIps.has(candidate)) ip = candidate;
    }
    this.usedClusterIps.add(ip);
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
    svc.spec = spec;
  }

  /** Names of a StatefulSet's claim templates, which count as volumes for mounts. */
  private claimTemplateNames(obj: KubeObject): string[] {
    if (obj.kind !== 'StatefulSet') return [];
    const vcts = (obj.spec as Obj | undefined)?.volumeClaimTemplates;
    if (!Array.isArray(vcts)) return [];
    return vcts.map((v) => (isObj(v) && isObj(v.metadata) ? String(v.metadata.name ?? '') : '')).filter(Boolean);
  }
}

function hasFinalizers(obj: KubeObject): boolean {
  return Array.isArray(obj.metadata.finalizers) && obj.metadata.finalizers.length > 0;
}

/** The pod's QoS class, as the API server computes it on create. */
function qosClass(pod: KubeObject): string {
  const containers = ((pod.spec as Obj | undefined)?.containers ?? []) as Obj[];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const r = (c.resources ?? {}) as { requests?: Obj; limits?: Obj };
    const req = r.requests ?? {};
    const lim = r.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const k of ['cpu', 'memory']) {
      if (lim[k] === undefined || (req[k] !== undefined && req[k] !== lim[k])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
