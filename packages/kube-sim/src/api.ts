// The registry layer between HTTP and the store: what the API server does to a request before
// and after storage (defaulting, admission, validation, resourceVersion preconditions, status
// subresources, graceful deletion, finalizers). The HTTP server, sim.apply and the controllers
// all go through it.

import { randomUUID } from 'node:crypto';
import { ApiError, alreadyExists, badRequest, conflict, forbidden, invalid, notFound } from './errors.ts';
import {
  kindOf,
  type DeleteDecision,
  type DeleteOptions,
  type DeleteRequest,
  type Kind,
  type KindContext,
} from './kinds/index.ts';
import { isObj, timestamp, type Obj } from './object.ts';
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from './patch.ts';
import { apiVersionOf, findResource, type ResourceInfo } from './resources.ts';
import type { KubeObject } from './runtime-contract.ts';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import type { Store } from './store.ts';
import { pruneUnknownFields } from './schema.ts';
import { validateObjectMeta } from './validation.ts';

export type { DeleteOptions } from './kinds/index.ts';

/** Options common to writes. */
export interface WriteOptions {
  dryRun?: boolean;
  subresource?: string;
}

/** A patch body with its content type. */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const NAMESPACES = findResource('namespaces')!;

const clone = <T>(v: T): T => structuredClone(v);
const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Random suffix in the alphabet the API server's generateName uses. */
export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
  return s;
}

/** The API semantics over one Store; what differs by kind is the kind's (kinds/<kind>.ts). */
export class Api {
  /** State the kinds keep per Api (KindContext.local). */
  private readonly kindState = new Map<string, unknown>();
  private readonly ctx: KindContext;

  constructor(readonly store: Store) {
    this.ctx = {
      store,
      local: <T>(key: string, init: () => T): T => {
        if (!this.kindState.has(key)) this.kindState.set(key, init());
        return this.kindState.get(key) as T;
      },
    };
  }

  /** GET one object; 404 Status when missing. */
  get(res: ResourceInfo, namespace: string | undefined, name: string): KubeObject {
    const obj = this.store.get(res, namespace, name);
    if (!obj) throw notFound(res, name);
    return obj;
  }

  /** LIST with label and field selectors. */
  list(
    res: ResourceInfo,
    namespace: string | undefined,
    labelSelector?: string,
    fieldSelector?: string,
  ): KubeObject[] {
    const ls = parseLabelSelector(labelSelector);
    const fs = parseFieldSelector(fieldSelector);
    const all = this.store.list(res, namespace);
    if (ls.requirements.length === 0 && fs.terms.length === 0) return all;
    return all.filter((o) => matchesLabels(ls, o.metadata.labels) && matchesFields(fs, o));
  }

  /** POST: create a new object. */
  create(
    res: ResourceInfo,
    namespace: string | undefined,
    body: unknown,
    opts: WriteOptions = {},
  ): KubeObject {
    if (!isObj(body) || (!isObj(body.metadata) && body.metadata !== undefined))
      throw badRequest('the body of the request was in an unknown format');
    const kind = kindOf(res);
    const obj = clone(body) as KubeObject;
    obj.apiVersion = apiVersionOf(res);
    obj.kind = res.kind;
    obj.metadata = (isObj(obj.metadata) ? obj.metadata : {}) as KubeObject['metadata'];
    const meta = obj.metadata;
    if (res.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      meta.namespace = namespace ?? meta.namespace ?? 'default';
      const ns = this.store.get(NAMESPACES, undefined, meta.namespace);
      if (!ns) throw notFound(NAMESPACES, meta.namespace);
      if (ns.metadata.deletionTimestamp && !kind.allowedInTerminatingNamespace) {
        throw forbidden(
          `${res.plural} "${meta.name ?? ''}" is forbidden: unable to create new content in namespace ${meta.namespace} because it is being terminated`,
          { name: meta.name, kind: res.plural },
        );
      }
    } else delete meta.namespace;
    if (!meta.name && typeof meta.generateName === 'string' && meta.generateName)
      meta.name = meta.generateName + randomSuffix();
    meta.name = meta.name ?? '';
    if (opts.subresource)
      throw new ApiError(
        405,
        'MethodNotAllowed',
        `create is not supported on ${res.plural}/${opts.subresource}`,
      );

    pruneUnknownFields(kind.schema, obj);
    delete meta.generation;
    kind.prepareForCreate?.(obj);
    kind.defaults?.(obj);
    kind.admit?.(obj, this.ctx);
    const causes = validate(kind, obj);
    if (causes.length) throw invalid(res, meta.name, causes);
    if (this.store.get(res, meta.namespace, meta.name)) throw alreadyExists(res, meta.name);

    meta.uid = randomUUID();
    meta.creationTimestamp = timestamp();
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (opts.dryRun)
      return { ...obj, metadata: { ...meta, resourceVersion: String(this.store.resourceVersion) } };
    kind.beginCreate?.(obj, this.ctx);
    return this.store.insert(res, obj);
  }

  /** PUT: replace an object (or its status with subresource 'status'). */
  update(
    res: ResourceInfo,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: WriteOptions = {},
  ): KubeObject {
    if (!isObj(body)) throw badRequest('the body of the request was in an unknown format');
    const old = this.get(res, namespace, name);
    const incoming = clone(body) as KubeObject;
    incoming.metadata = (isObj(incoming.metadata) ? incoming.metadata : {}) as KubeObject['metadata'];
    if (incoming.metadata.name && incoming.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const rv = incoming.metadata.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) throw conflict(res, name);
    if (incoming.metadata.uid && incoming.metadata.uid !== old.metadata.uid) {
      throw conflict(
        res,
        name,
        `Precondition failed: UID in precondition: ${incoming.metadata.uid}, UID in object meta: ${old.metadata.uid}`,
      );
    }
    return this.writeUpdate(res, old, incoming, opts);
  }

  /** PATCH in one of the four patch formats. */
  patch(
    res: ResourceInfo,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    body: unknown,
    opts: WriteOptions = {},
  ): KubeObject {
    const old = this.store.get(res, namespace, name);
    if (!old) {
      if (type === 'apply' && !opts.subresource)
        return this.create(
          res,
          namespace,
          { ...(body as Obj), metadata: { ...((body as Obj).metadata as Obj), name } },
          opts,
        );
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
      throw conflict(
        res,
        name,
        `Precondition failed: UID in precondition: ${String(next.metadata.uid)}, UID in object meta: ${old.metadata.uid}`,
      );
    }
    return this.writeUpdate(res, old, next, opts);
  }

  /** DELETE one object: the kind's onDelete (graceful deletion), finalizers and propagation honoured. */
  delete(
    res: ResourceInfo,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): KubeObject {
    const old = this.get(res, namespace, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw conflict(
        res,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(
        res,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
      );
    }
    if (opts.dryRun) return old;
    const next = clone(old);
    const meta = next.metadata;
    const finalizers = new Set<string>(Array.isArray(meta.finalizers) ? (meta.finalizers as string[]) : []);
    if (opts.propagationPolicy === 'Orphan') finalizers.add('orphan');
    if (opts.propagationPolicy === 'Foreground') finalizers.add('foregroundDeletion');

    const kind = kindOf(res);
    const request: DeleteRequest = { opts, finalizers };
    const decision = kind.onDelete ? kind.onDelete(next, request) : deleteWithFinalizers(next, request);
    if (decision === 'unchanged') return old;
    if (decision === 'remove') return this.store.remove(res, namespace, name) ?? old;
    return this.store.replace(res, next);
  }

  /** Controller write: mutate a copy of the current object and store it when it changed. */
  mutate(
    res: ResourceInfo,
    namespace: string | undefined,
    name: string,
    fn: (obj: KubeObject) => void,
  ): KubeObject | undefined {
    const cur = this.store.get(res, namespace, name);
    if (!cur) return undefined;
    const next = clone(cur);
    fn(next);
    if (JSON.stringify(next) === JSON.stringify(cur)) return cur;
    if (next.metadata.deletionTimestamp && !kindOf(res).keepTerminating && !hasFinalizers(next)) {
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

  /** Forget what the kinds allocated (sim.reset). */
  resetAllocations(): void {
    this.kindState.clear();
  }

  private writeUpdate(
    res: ResourceInfo,
    old: KubeObject,
    incoming: KubeObject,
    opts: WriteOptions,
  ): KubeObject {
    const kind = kindOf(res);
    const name = old.metadata.name;
    let next: KubeObject;
    if (opts.subresource === 'status') {
      next = clone(old);
      if (incoming.status !== undefined) next.status = incoming.status;
      else delete next.status;
    } else if (opts.subresource) {
      const write = kind.subresourceWrites?.[opts.subresource];
      if (!write) throw new ApiError(404, 'NotFound', `the server could not find the requested resource`);
      next = write(old, incoming);
    } else {
      next = incoming;
      next.apiVersion = apiVersionOf(res);
      next.kind = res.kind;
      if (res.hasStatus) {
        if (old.status !== undefined) next.status = clone(old.status);
        else delete next.status;
      }
      pruneUnknownFields(kind.schema, next);
      kind.defaults?.(next);
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
    m.resourceVersion = old.metadata.resourceVersion;
    if (!opts.subresource) kind.prepareForUpdate?.(next, old);

    const causes = [...validate(kind, next), ...(kind.validateUpdate?.(next, old) ?? [])];
    if (causes.length) throw invalid(res, name, causes);
    if (m.deletionTimestamp && !old.metadata.deletionTimestamp)
      throw badRequest('deletionTimestamp cannot be set by a client');
    if (opts.dryRun) return next;
    if (JSON.stringify(next) === JSON.stringify(old)) return old;
    if (m.deletionTimestamp && !kind.keepTerminating && !hasFinalizers(next)) {
      return this.store.remove(res, old.metadata.namespace, name) ?? next;
    }
    return this.store.replace(res, next);
  }
}

function hasFinalizers(obj: KubeObject): boolean {
  return Array.isArray(obj.metadata.finalizers) && obj.metadata.finalizers.length > 0;
}

/** ValidateObjectMeta with the kind's name rule, then the kind's own rules. */
function validate(kind: Kind, obj: KubeObject) {
  const meta = kind.validateName
    ? validateObjectMeta(obj, (name) => kind.validateName!(name))
    : validateObjectMeta(obj);
  return [...meta, ...(kind.validate?.(obj) ?? [])];
}

/**
 * Deletion of a kind without its own onDelete: without finalizers the object goes at once; else
 * it gets a deletionTimestamp (grace 0) and waits for them (a new finalizer from the propagation
 * policy is added to an object already terminating).
 */
function deleteWithFinalizers(next: KubeObject, { finalizers }: DeleteRequest): DeleteDecision {
  const meta = next.metadata;
  if (finalizers.size === 0) return 'remove';
  if (meta.deletionTimestamp) {
    if (JSON.stringify([...finalizers]) === JSON.stringify(meta.finalizers ?? [])) return 'unchanged';
    meta.finalizers = [...finalizers];
    return 'store';
  }
  meta.deletionTimestamp = timestamp();
  meta.deletionGracePeriodSeconds = 0;
  meta.finalizers = [...finalizers];
  return 'store';
}
