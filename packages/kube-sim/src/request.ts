// Decoding what a client sent (the resource path, the verb, the body in JSON, YAML or protobuf,
// patch and delete options, field validation) and encoding the JSON reply.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import type { DeleteOptions, PatchType } from './api.ts';
import { ApiError, badRequest } from './errors.ts';
import type { Obj } from './object.ts';
import { KINDS, kindNamed, kindOf } from './kinds/index.ts';
import { fields, objectMeta, str } from './proto.ts';
import { lookupResource, type ResourceInfo } from './resources.ts';
import { unknownFields } from './schema.ts';

/** One resource request in RBAC terms: verb, API group, resource, subresource, namespace. */
export interface RequestRecord {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
}

/** A resource request's target: /api(s)/.../[namespaces/{ns}/]{plural}[/{name}[/{subresource}]]. */
export interface Route {
  res: ResourceInfo;
  namespace?: string;
  name?: string;
  sub?: string;
}

/** Split /api/v1/... and /apis/g/v/... paths into resource, namespace, name and subresource. */
export function parseRoute(path: string): Route | undefined {
  const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 2) {
    group = '';
    version = segs[1]!;
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 3) {
    group = segs[1]!;
    version = segs[2]!;
    rest = segs.slice(3);
  } else return undefined;
  if (rest.length === 0) return undefined;
  let namespace: string | undefined;
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))
  ) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const res = lookupResource(group, version, rest[0]!);
  if (!res) return undefined;
  if (namespace !== undefined && !res.namespaced) return undefined;
  return { res, namespace, name: rest[1], sub: rest[2] };
}

/** The RBAC verb of a request: GET is get, list or watch; DELETE of a collection is deletecollection. */
export function verbOf(method: string, isCollection: boolean, watch: boolean): string {
  switch (method) {
    case 'GET':
      return isCollection ? (watch ? 'watch' : 'list') : 'get';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return isCollection ? 'deletecollection' : 'delete';
    default:
      return method.toLowerCase();
  }
}

/** The patch format of a PATCH's Content-Type; 415 for any other. */
export function patchType(contentType: string | undefined): PatchType {
  const ct = (contentType ?? '').split(';')[0]!.trim();
  switch (ct) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+cbor':
      return 'apply';
    default:
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
      );
  }
}

/** DeleteOptions from the query and the body (the query wins; orphanDependents means Orphan). */
export function deleteOptions(q: URLSearchParams, body: unknown): DeleteOptions {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const opts: DeleteOptions = {};
  const grace = q.get('gracePeriodSeconds') ?? b.gracePeriodSeconds;
  if (grace !== undefined && grace !== null) opts.gracePeriodSeconds = Number(grace);
  const prop = q.get('propagationPolicy') ?? b.propagationPolicy;
  if (prop === 'Background' || prop === 'Foreground' || prop === 'Orphan') opts.propagationPolicy = prop;
  if (b.orphanDependents === true) opts.propagationPolicy = 'Orphan';
  if (b.preconditions && typeof b.preconditions === 'object')
    opts.preconditions = b.preconditions as DeleteOptions['preconditions'];
  return opts;
}

/** The request body: protobuf (Namespace, Service), YAML (apply patches) or JSON; 400 when empty unless optional. */
export async function readBody(req: IncomingMessage, optional = false, yaml = false): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  if (/protobuf/.test(String(req.headers['content-type'] ?? '')) && raw.length) return decodeProtobuf(raw);
  const text = raw.toString('utf8');
  if (!text.trim()) {
    if (optional) return undefined;
    throw badRequest('the body of the request was empty');
  }
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw badRequest(
      `the body of the request was in an unknown format: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** Decode a `application/vnd.kubernetes.protobuf` body into the JSON object it encodes. */
function decodeProtobuf(body: Buffer): Obj {
  if (body.length < 4 || body.subarray(0, 4).toString('latin1') !== 'k8s\0') {
    throw new ApiError(
      400,
      'BadRequest',
      'the body of the request was in an unknown format: missing protobuf envelope',
    );
  }
  const env = fields(body.subarray(4));
  const typeMeta = env.find((f) => f.no === 1);
  const raw = env.find((f) => f.no === 2);
  let apiVersion = '';
  let kind = '';
  if (typeMeta?.bytes) {
    for (const f of fields(typeMeta.bytes)) {
      if (f.no === 1) apiVersion = str(f);
      else if (f.no === 2) kind = str(f);
    }
  }
  const msg = fields(raw?.bytes ?? Buffer.alloc(0));
  const metaField = msg.find((f) => f.no === 1);
  const out: Obj = { apiVersion, kind, metadata: metaField?.bytes ? objectMeta(metaField.bytes) : {} };
  const specField = msg.find((f) => f.no === 2);
  const decodeSpec = kindNamed(kind)?.protobufSpec;
  if (!decodeSpec) {
    const served = KINDS.filter((k) => k.protobufSpec).map((k) => k.resource.kind);
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `kube-sim decodes protobuf bodies only for ${served.join(' and ')}, not ${kind || 'this kind'}; send application/json`,
    );
  }
  if (specField?.bytes) {
    const spec = decodeSpec(specField.bytes);
    if (spec) out.spec = spec;
  }
  return out;
}

/**
 * fieldValidation: Strict refuses unknown fields (400, the strict decoder's message); Warn (the
 * server default) answers with a Warning header per field; Ignore does neither.
 */
export function checkFields(
  res: ServerResponse,
  info: ResourceInfo,
  mode: string | null,
  body: unknown,
): void {
  if (mode === 'Ignore') return;
  const unknown = unknownFields(kindOf(info).schema, body);
  if (!unknown.length) return;
  if (mode === 'Strict') {
    throw badRequest(
      `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`,
    );
  }
  res.setHeader(
    'Warning',
    unknown.map((f) => `299 - "unknown field \\"${f}\\""`),
  );
}

/** A merge patch without its $-directives and deletions, for field checks. */
export function withoutDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutDirectives);
  if (!v || typeof v !== 'object') return v;
  // null deletes a field, so an unknown field set to null is not an error.
  return Object.fromEntries(
    Object.entries(v as Record<string, unknown>)
      .filter(([k, x]) => !k.startsWith('$') && x !== null)
      .map(([k, x]) => [k, withoutDirectives(x)]),
  );
}

/** Reply with a JSON body. */
export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}
