// The three patch formats kubectl and client libraries send: JSON merge patch (RFC 7386),
// JSON patch (RFC 6902) and Kubernetes strategic merge patch (merge keys and $-directives for
// the lists of the types kube-sim serves).

import { badRequest } from './errors.ts';
import { kindNamed } from './kinds/index.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386: objects merge recursively, null deletes, everything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v) as Json;
  }
  return out;
}

/** RFC 6902 operations applied in order; a failed `test` or a bad path is a 422 like the API server's. */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops))
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = structuredClone(target) as Json;
  for (const raw of ops) {
    if (!isObject(raw)) throw badRequest('invalid JSON patch operation');
    const op = String(raw.op);
    const path = String(raw.path ?? '');
    switch (op) {
      case 'add':
        doc = pointerSet(doc, path, structuredClone(raw.value as Json), 'add');
        break;
      case 'replace':
        pointerGet(doc, path, op);
        doc = pointerSet(doc, path, structuredClone(raw.value as Json), 'replace');
        break;
      case 'remove':
        doc = pointerRemove(doc, path);
        break;
      case 'move': {
        const v = pointerGet(doc, String(raw.from), op);
        doc = pointerRemove(doc, String(raw.from));
        doc = pointerSet(doc, path, v, 'add');
        break;
      }
      case 'copy':
        doc = pointerSet(doc, path, structuredClone(pointerGet(doc, String(raw.from), op)), 'add');
        break;
      case 'test': {
        const v = pointerGet(doc, path, op);
        if (JSON.stringify(v) !== JSON.stringify(raw.value)) {
          throw new PatchError(`testing value ${path} failed: test failed`);
        }
        break;
      }
      default:
        throw badRequest(`Unexpected kind: ${op}`);
    }
  }
  return doc;
}

/** A patch that cannot be applied to the current object (the API server answers 422 or 500). */
export class PatchError extends Error {}

function tokens(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`JSON pointer must start with '/': ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function pointerGet(doc: Json, path: string, op: string): Json {
  let cur: Json = doc;
  for (const t of tokens(path)) {
    if (Array.isArray(cur)) cur = cur[Number(t)] as Json;
    else if (isObject(cur)) cur = cur[t] as Json;
    else cur = undefined as unknown as Json;
    if (cur === undefined)
      throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  }
  return cur;
}

function pointerSet(doc: Json, path: string, value: Json, mode: 'add' | 'replace'): Json {
  const ts = tokens(path);
  if (ts.length === 0) return value;
  const parent = pointerGet(
    doc,
    '/' +
      ts
        .slice(0, -1)
        .map((t) => t.replace(/~/g, '~0').replace(/\//g, '~1'))
        .join('/'),
    mode,
  );
  const last = ts[ts.length - 1]!;
  if (Array.isArray(parent)) {
    const idx = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(idx) || idx < 0 || idx > parent.length)
      throw new PatchError(`${mode} operation does not apply: index out of bounds: ${path}`);
    if (mode === 'add') parent.splice(idx, 0, value);
    else parent[idx] = value;
  } else if (isObject(parent)) {
    parent[last] = value;
  } else {
    throw new PatchError(`${mode} operation does not apply: doc is missing path: "${path}"`);
  }
  return doc;
}

function pointerRemove(doc: Json, path: string): Json {
  const ts = tokens(path);
  if (ts.length === 0) return null;
  const parent = pointerGet(
    doc,
    '/' +
      ts
        .slice(0, -1)
        .map((t) => t.replace(/~/g, '~0').replace(/\//g, '~1'))
        .join('/'),
    'remove',
  );
  const last = ts[ts.length - 1]!;
  if (Array.isArray(parent)) {
    const idx = Number(last);
    if (!Number.isInteger(idx) || idx < 0 || idx >= parent.length)
      throw new PatchError(`remove operation does not apply: doc is missing path: "${path}": missing value`);
    parent.splice(idx, 1);
  } else if (isObject(parent)) {
    if (!(last in parent))
      throw new PatchError(`remove operation does not apply: doc is missing path: "${path}": missing value`);
    delete parent[last];
  }
  return doc;
}

/** How a list field merges under strategic merge patch. */
interface ListMeta {
  mergeKey?: string;
  /** 'merge' for primitive lists that union (finalizers). */
  primitiveMerge?: boolean;
}

/** Patch metadata of the core/apps/storage types (the patchMergeKey/patchStrategy struct tags); a kind's own in its mergeKeys. */
export function listMeta(kind: string, path: string[]): ListMeta {
  const own = kindNamed(kind)?.mergeKeys?.[path.join('.')];
  if (own) return { mergeKey: own };
  const field = path[path.length - 1];
  const inContainer = path.some(
    (p) => p === 'containers' || p === 'initContainers' || p === 'ephemeralContainers',
  );
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'volumes':
    case 'env':
    case 'imagePullSecrets':
    case 'resourceClaims':
    case 'secrets':
      return { mergeKey: 'name' };
    case 'volumeMounts':
      return { mergeKey: 'mountPath' };
    case 'volumeDevices':
      return { mergeKey: 'devicePath' };
    case 'hostAliases':
      return { mergeKey: 'ip' };
    case 'ownerReferences':
      return { mergeKey: 'uid' };
    case 'conditions':
      return { mergeKey: 'type' };
    case 'topologySpreadConstraints':
      return { mergeKey: 'topologyKey' };
    case 'finalizers':
      return { primitiveMerge: true };
    case 'ports':
      return inContainer ? { mergeKey: 'containerPort' } : {};
    default:
      return {};
  }
}

/** Kubernetes strategic merge patch for the given kind. */
export function strategicMergePatch(kind: string, target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) throw badRequest('strategic merge patch must be a JSON object');
  const out = smpMap(kind, isObject(target) ? target : {}, patch, []);
  return out === undefined ? {} : out;
}

function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.filter((x) => !(isObject(x) && x.$patch === 'delete')).map(stripDirectives);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, val] of Object.entries(v)) {
    if (k.startsWith('$')) continue;
    if (val === null) continue;
    out[k] = stripDirectives(val);
  }
  return out;
}

function smpMap(kind: string, orig: JsonObject, patch: JsonObject, path: string[]): JsonObject | undefined {
  if (patch.$patch === 'delete') return undefined;
  if (patch.$patch === 'replace') return stripDirectives(patch) as JsonObject;
  const out: JsonObject = { ...orig };
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys.map(String));
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
  }
  const orders = new Map<string, Json[]>();
  const deletions = new Map<string, Json[]>();
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue;
    if (k.startsWith('$setElementOrder/')) {
      if (Array.isArray(v)) orders.set(k.slice('$setElementOrder/'.length), v);
      continue;
    }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      if (Array.isArray(v)) deletions.set(k.slice('$deleteFromPrimitiveList/'.length), v);
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const sub = [...path, k];
    if (isObject(v)) {
      const cur = out[k];
      const merged = smpMap(kind, isObject(cur) ? cur : {}, v, sub);
      if (merged === undefined) delete out[k];
      else out[k] = isObject(cur) ? merged : (stripDirectives(merged) as JsonObject);
      continue;
    }
    if (Array.isArray(v)) {
      const meta = listMeta(kind, sub);
      const cur = Array.isArray(out[k]) ? (out[k] as Json[]) : [];
      if (meta.mergeKey) out[k] = mergeKeyedList(kind, cur, v, meta.mergeKey, sub);
      else if (meta.primitiveMerge)
        out[k] = [...cur, ...v.filter((x) => !cur.some((c) => JSON.stringify(c) === JSON.stringify(x)))];
      else out[k] = stripDirectives(v);
      continue;
    }
    out[k] = v;
  }
  for (const [k, vals] of deletions) {
    if (Array.isArray(out[k])) {
      const drop = new Set(vals.map((x) => JSON.stringify(x)));
      out[k] = (out[k] as Json[]).filter((x) => !drop.has(JSON.stringify(x)));
    }
  }
  for (const [k, order] of orders) {
    if (!Array.isArray(out[k])) continue;
    const meta = listMeta(kind, [...path, k]);
    const keyOf = (x: Json) =>
      meta.mergeKey && isObject(x) ? JSON.stringify(x[meta.mergeKey]) : JSON.stringify(x);
    const rank = new Map(
      order.map((o, i) => [
        meta.mergeKey && isObject(o) ? JSON.stringify(o[meta.mergeKey]) : JSON.stringify(o),
        i,
      ]),
    );
    const list = out[k] as Json[];
    const ordered = list
      .filter((x) => rank.has(keyOf(x)))
      .sort((a, b) => rank.get(keyOf(a))! - rank.get(keyOf(b))!);
    const rest = list.filter((x) => !rank.has(keyOf(x)));
    out[k] = [...ordered, ...rest];
  }
  return out;
}

function mergeKeyedList(kind: string, orig: Json[], patch: Json[], key: string, path: string[]): Json[] {
  if (patch.some((p) => isObject(p) && p.$patch === 'replace')) {
    return patch.filter((p) => !(isObject(p) && p.$patch === 'replace')).map(stripDirectives);
  }
  const out = orig.slice();
  for (const p of patch) {
    if (!isObject(p)) {
      out.push(p);
      continue;
    }
    const idx = out.findIndex((o) => isObject(o) && JSON.stringify(o[key]) === JSON.stringify(p[key]));
    if (p.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) {
      const merged = smpMap(kind, out[idx] as JsonObject, p, path);
      if (merged === undefined) out.splice(idx, 1);
      else out[idx] = merged;
    } else {
      out.push(stripDirectives(p));
    }
  }
  return out;
}

/**
 * The strategic merge patch `kubectl apply` would send: the new manifest, plus deletions of what
 * the previously applied manifest had and the new one dropped (null for map keys, `$patch: delete`
 * for keyed list items). Fields set by the server and never applied are left alone.
 */
export function threeWayPatch(kind: string, lastApplied: unknown, manifest: unknown): unknown {
  const patch = structuredClone(manifest) as Json;
  if (isObject(lastApplied) && isObject(patch)) addDeletions(kind, lastApplied, patch, []);
  return patch;
}

function addDeletions(kind: string, old: JsonObject, next: JsonObject, path: string[]): void {
  for (const [k, ov] of Object.entries(old)) {
    if (!(k in next)) {
      next[k] = null;
      continue;
    }
    const nv = next[k];
    if (isObject(ov) && isObject(nv)) addDeletions(kind, ov, nv, [...path, k]);
    else if (Array.isArray(ov) && Array.isArray(nv)) {
      const key = listMeta(kind, [...path, k]).mergeKey;
      if (!key) continue;
      for (const item of ov) {
        if (!isObject(item)) continue;
        const match = nv.find((x) => isObject(x) && JSON.stringify(x[key]) === JSON.stringify(item[key]));
        if (isObject(match)) addDeletions(kind, item, match, [...path, k]);
        else nv.push({ [key]: item[key] as Json, $patch: 'delete' });
      }
    }
  }
}
