// The HTTP front of kube-sim: discovery, /version, CRUD, watch, patch, subresources, Table
// printing and the exec upgrade, answering as a real API server does (Status bodies, codes).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { parse as parseYaml } from 'yaml';
import type { Api, DeleteOptions, PatchType } from './api.ts';
import { ApiError, badRequest, methodNotAllowed, notFound } from './errors.ts';
import type { Faults } from './faults.ts';
import { ALL_VERBS, RESOURCES, apiVersionOf, findResource, lookupResource, type ResourceInfo } from './resources.ts';
import type { KubeObject, PodRuntime } from './runtime-contract.ts';
import { formatSelector, parseFieldSelector, parseLabelSelector, selectorFromObject } from './selectors.ts';
import { decodeProtobuf } from './proto.ts';
import { unknownFields } from './schema.ts';
import { openApiV3GroupVersion, openApiV3Root } from './openapi.ts';
import { toTable } from './table.ts';
import { serveWatch } from './watch.ts';

/** Hands an exec upgrade to the exec implementation (part 2's exec-ws.ts). */
export type ExecUpgradeHandler = (
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  ctx: { pod: KubeObject; container: string; command: string[]; runtime: PodRuntime; faults: Faults },
) => void;

/** What the server needs from the rest of kube-sim. */
export interface ServerDeps {
  api: Api;
  faults: Faults;
  runtime: PodRuntime;
  token: string;
  execHandler?: ExecUpgradeHandler;
  /** Told of every resource request as RBAC would see it (deploy/'s least-privilege test records these). */
  onRequest?: (r: RequestRecord) => void;
}

/** One resource request in RBAC terms: verb, API group, resource, subresource, namespace. */
export interface RequestRecord {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
}

const VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4-kube-sim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-25T00:00:00Z',
  goVersion: 'go1.23.8',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const PODS = findResource('pods')!;
const STATEFULSETS = findResource('statefulsets')!;

/** The running HTTP server plus counters the harness reads. */
export class SimServer {
  readonly http: Server;
  requestCount = 0;
  private readonly watchClosers = new Set<() => void>();

  constructor(private readonly deps: ServerDeps) {
    this.http = createServer((req, res) => {
      this.requestCount++;
      void this.handle(req, res);
    });
    this.http.on('upgrade', (req, socket, head) => {
      this.requestCount++;
      void this.handleUpgrade(req, socket, head);
    });
    // Keep-alive sockets must not hold stop() open.
    this.http.keepAliveTimeout = 5000;
  }

  /** End every open watch (reset, stop). */
  closeWatches(): void {
    for (const close of [...this.watchClosers]) close();
  }

  private authorized(req: IncomingMessage): boolean {
    // kubectl does not send bearer tokens over plain http, so absence is accepted; a wrong
    // token is refused as a real server would.
    const h = req.headers.authorization;
    return h === undefined || h === `Bearer ${this.deps.token}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://kube-sim');
      const path = url.pathname.replace(/\/+$/, '') || '/';
      const latency = this.deps.faults.current.latencyMs;
      if (latency) await new Promise((r) => setTimeout(r, latency));

      if (await this.handleNonResource(req, res, path)) return;
      if (!this.authorized(req)) {
        sendJson(res, 401, new ApiError(401, 'Unauthorized', 'Unauthorized').toStatus());
        return;
      }
      const route = parseRoute(path);
      if (!route) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      await this.handleResource(req, res, url, route);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof ApiError) sendJson(res, err.code, err.toStatus());
      else {
        const message = err instanceof Error ? err.message : String(err);
        sendJson(res, 500, new ApiError(500, 'InternalError', `Internal error occurred: ${message}`).toStatus());
      }
    }
  }

  private async handleNonResource(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    switch (path) {
      case '/version':
        sendJson(res, 200, VERSION);
        return true;
      case '/healthz':
      case '/readyz':
      case '/livez':
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok');
        return true;
      case '/api':
        sendJson(res, 200, {
          kind: 'APIVersions',
          versions: ['v1'],
          serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: req.headers.host ?? '' }],
        });
        return true;
      case '/apis':
        sendJson(res, 200, apiGroupList());
        return true;
      default:
        break;
    }
    if (path === '/api/v1' || /^\/apis\/[^/]+\/[^/]+$/.test(path)) {
      const [group, version] = path === '/api/v1' ? ['', 'v1'] : path.split('/').slice(2);
      const list = resourceList(group!, version!);
      if (!list) return false;
      sendJson(res, 200, list);
      return true;
    }
    if (/^\/apis\/[^/]+$/.test(path)) {
      const group = path.split('/')[2]!;
      const g = apiGroupList().groups.find((x) => x.name === group);
      if (!g) return false;
      sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...g });
      return true;
    }
    if (path === '/openapi/v3') {
      sendJson(res, 200, openApiV3Root());
      return true;
    }
    if (path.startsWith('/openapi/v3/')) {
      const doc = openApiV3GroupVersion(path.slice('/openapi/v3/'.length));
      if (doc) {
        sendJson(res, 200, doc);
        return true;
      }
    }
    if (path.startsWith('/openapi/')) {
      sendJson(res, 404, new ApiError(404, 'NotFound', 'the server could not find the requested resource').toStatus());
      return true;
    }
    return false;
  }

  private async handleResource(req: IncomingMessage, res: ServerResponse, url: URL, route: Route): Promise<void> {
    const { api, faults } = this.deps;
    const q = url.searchParams;
    const info = route.res;
    const method = req.method ?? 'GET';
    const isCollection = route.name === undefined;
    const watch = q.get('watch') === 'true' || q.get('watch') === '1';
    const verb =
      method === 'GET'
        ? isCollection
          ? watch
            ? 'watch'
            : 'list'
          : 'get'
        : method === 'POST'
          ? 'create'
          : method === 'PUT'
            ? 'update'
            : method === 'PATCH'
              ? 'patch'
              : method === 'DELETE'
                ? isCollection
                  ? 'deletecollection'
                  : 'delete'
                : method.toLowerCase();
    const faultResource = route.sub ? `${info.plural}/${route.sub}` : info.plural;
    this.deps.onRequest?.({ verb, group: info.group, resource: info.plural, ...(route.sub ? { subresource: route.sub } : {}), ...(route.namespace ? { namespace: route.namespace } : {}) });
    const failure = faults.takeFailure(verb, faultResource, route.namespace);
    if (failure) throw injectedFailure(failure.status, verb, faultResource, route.namespace, route.name);

    const dryRun = q.getAll('dryRun').includes('All');
    const accept = req.headers.accept ?? '';
    const wantsTable = /as=Table/.test(accept);
    const includeObject = q.get('includeObject') ?? undefined;

    if (isCollection) {
      if (method === 'GET') {
        const ls = q.get('labelSelector') ?? undefined;
        const fs = q.get('fieldSelector') ?? undefined;
        if (watch) {
          const timeout = q.get('timeoutSeconds');
          serveWatch(
            api.store,
            {
              res: info,
              namespace: route.namespace,
              labels: parseLabelSelector(ls),
              fields: parseFieldSelector(fs),
              resourceVersion: q.get('resourceVersion') ?? undefined,
              timeoutSeconds: timeout ? Number(timeout) : undefined,
              render: wantsTable ? (o) => toTable(info.kind, [o], o.metadata.resourceVersion ?? '', includeObject) : (o) => o,
              dropAfterMs: faults.current.dropWatchAfterMs,
            },
            res,
            this.watchClosers,
          );
          return;
        }
        const rv = String(api.store.resourceVersion);
        let items = api.list(info, route.namespace, ls, fs);
        // Pagination: the continue token is the key of the last item returned.
        const cont = q.get('continue');
        if (cont) {
          const after = Buffer.from(cont, 'base64url').toString('utf8');
          items = items.filter((o) => itemKey(o) > after);
        }
        const limit = Number(q.get('limit') ?? 0);
        let next: string | undefined;
        let remaining: number | undefined;
        if (limit > 0 && items.length > limit) {
          remaining = items.length - limit;
          items = items.slice(0, limit);
          next = Buffer.from(itemKey(items[items.length - 1]!), 'utf8').toString('base64url');
        }
        const listMeta: Record<string, unknown> = { resourceVersion: rv };
        if (next) {
          listMeta.continue = next;
          listMeta.remainingItemCount = remaining;
        }
        if (wantsTable) sendJson(res, 200, toTable(info.kind, items, rv, includeObject, next ? { continue: next } : {}));
        else sendJson(res, 200, { kind: info.listKind, apiVersion: apiVersionOf(info), metadata: listMeta, items });
        return;
      }
      if (method === 'POST') {
        const body = await readBody(req);
        checkFields(res, info, q.get('fieldValidation'), body);
        const created = api.create(info, route.namespace, body, { dryRun });
        sendJson(res, 201, created);
        return;
      }
      if (method === 'DELETE') {
        const opts = deleteOptions(q, await readBody(req, true));
        const items = api.list(info, route.namespace, q.get('labelSelector') ?? undefined, q.get('fieldSelector') ?? undefined);
        const deleted = items.map((o) => api.delete(info, o.metadata.namespace, o.metadata.name, opts));
        sendJson(res, 200, { kind: info.listKind, apiVersion: apiVersionOf(info), metadata: { resourceVersion: String(api.store.resourceVersion) }, items: deleted });
        return;
      }
      throw methodNotAllowed(`the server does not allow this method on the requested resource`);
    }

    const name = route.name!;
    if (route.sub === 'scale' && info === STATEFULSETS) {
      await this.handleScale(req, res, route, dryRun);
      return;
    }
    if (route.sub === 'log' && info === PODS) {
      api.get(info, route.namespace, name);
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('');
      return;
    }
    if (route.sub === 'exec' && info === PODS) {
      api.get(info, route.namespace, name);
      throw badRequest('Upgrade request required');
    }
    if (route.sub && !info.subresources.some((s) => s.name === route.sub)) {
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    switch (method) {
      case 'GET': {
        const obj = api.get(info, route.namespace, name);
        if (wantsTable && !route.sub) sendJson(res, 200, toTable(info.kind, [obj], obj.metadata.resourceVersion ?? '', includeObject));
        else sendJson(res, 200, obj);
        return;
      }
      case 'PUT': {
        const body = await readBody(req);
        if (!route.sub) checkFields(res, info, q.get('fieldValidation'), body);
        sendJson(res, 200, api.update(info, route.namespace, name, body, { dryRun, subresource: route.sub }));
        return;
      }
      case 'PATCH': {
        const type = patchType(req.headers['content-type']);
        const body = await readBody(req, false, type === 'apply');
        if (!route.sub && type !== 'json') checkFields(res, info, q.get('fieldValidation'), withoutDirectives(body));
        const existed = Boolean(api.store.get(info, route.namespace, name));
        const out = api.patch(info, route.namespace, name, type, body, { dryRun, subresource: route.sub });
        sendJson(res, existed ? 200 : 201, out);
        return;
      }
      case 'DELETE': {
        const opts = deleteOptions(q, await readBody(req, true));
        opts.dryRun = dryRun;
        const out = api.delete(info, route.namespace, name, opts);
        sendJson(res, 200, out);
        return;
      }
      default:
        throw methodNotAllowed('the server does not allow this method on the requested resource');
    }
  }

  private async handleScale(req: IncomingMessage, res: ServerResponse, route: Route, dryRun: boolean): Promise<void> {
    const { api } = this.deps;
    const sts = api.get(STATEFULSETS, route.namespace, route.name!);
    const toScale = (o: KubeObject) => ({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: o.metadata.name,
        namespace: o.metadata.namespace,
        uid: o.metadata.uid,
        resourceVersion: o.metadata.resourceVersion,
        creationTimestamp: o.metadata.creationTimestamp,
      },
      spec: { replicas: Number((o.spec as Record<string, unknown>).replicas ?? 1) },
      status: {
        replicas: Number((o.status as Record<string, unknown> | undefined)?.replicas ?? 0),
        selector: formatSelector(selectorFromObject((o.spec as Record<string, unknown>).selector)),
      },
    });
    if (req.method === 'GET') {
      sendJson(res, 200, toScale(sts));
      return;
    }
    let scale: ReturnType<typeof toScale>;
    if (req.method === 'PUT') scale = (await readBody(req)) as ReturnType<typeof toScale>;
    else if (req.method === 'PATCH') {
      const type = patchType(req.headers['content-type']);
      const body = await readBody(req, false, type === 'apply');
      const { mergePatch, jsonPatch, strategicMergePatch } = await import('./patch.ts');
      const cur = toScale(sts);
      scale = (type === 'json' ? jsonPatch(cur, body) : type === 'merge' ? mergePatch(cur, body) : strategicMergePatch('Scale', cur, body)) as typeof cur;
    } else throw methodNotAllowed('the server does not allow this method on the requested resource');
    const replicas = scale?.spec?.replicas;
    if (typeof replicas !== 'number' || replicas < 0) {
      throw new ApiError(422, 'Invalid', `Scale.autoscaling "${route.name}" is invalid: spec.replicas: Invalid value: ${String(replicas)}: must be greater than or equal to 0`);
    }
    const rv = scale.metadata?.resourceVersion;
    const updated = api.patch(
      STATEFULSETS,
      route.namespace,
      route.name!,
      'merge',
      { spec: { replicas }, ...(rv ? { metadata: { resourceVersion: rv } } : {}) },
      { dryRun },
    );
    sendJson(res, 200, toScale(updated));
  }

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const fail = (err: ApiError) => {
      const body = JSON.stringify(err.toStatus());
      socket.end(
        `HTTP/1.1 ${err.code} ${statusText(err.code)}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    };
    try {
      if (!this.authorized(req)) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
      const url = new URL(req.url ?? '/', 'http://kube-sim');
      const route = parseRoute(url.pathname.replace(/\/+$/, ''));
      if (!route || route.res !== PODS || route.sub !== 'exec' || !route.name) {
        throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      }
      this.deps.onRequest?.({ verb: 'create', group: '', resource: 'pods', subresource: 'exec', ...(route.namespace ? { namespace: route.namespace } : {}) });
      const failure = this.deps.faults.takeFailure('create', 'pods/exec', route.namespace);
      if (failure) throw injectedFailure(failure.status, 'create', 'pods/exec', route.namespace, route.name);
      const pod = this.deps.api.store.get(PODS, route.namespace, route.name);
      if (!pod) throw notFound(PODS, route.name);
      const spec = (pod.spec ?? {}) as { nodeName?: string; containers?: { name: string }[] };
      const containers = (spec.containers ?? []).map((c) => c.name);
      let container = url.searchParams.get('container') ?? '';
      if (!container) {
        if (containers.length === 1) container = containers[0]!;
        else throw badRequest(`a container name must be specified for pod ${route.name}, choose one of: [${containers.join(' ')}]`);
      }
      if (!containers.includes(container)) throw badRequest(`container ${container} is not valid for pod ${route.name}`);
      const phase = String((pod.status as Record<string, unknown> | undefined)?.phase ?? '');
      if (!spec.nodeName) throw badRequest(`pod ${route.name} does not have a host assigned`);
      if (phase === 'Succeeded' || phase === 'Failed') throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
      if (phase !== 'Running') throw badRequest(`unable to upgrade connection: container not found ("${container}")`);
      const command = url.searchParams.getAll('command');
      if (!this.deps.execHandler) throw badRequest('exec is not available: this kube-sim build has no exec handler');
      this.deps.execHandler(req, socket, head, { pod, container, command, runtime: this.deps.runtime, faults: this.deps.faults });
    } catch (err) {
      if (err instanceof ApiError) fail(err);
      else fail(new ApiError(500, 'InternalError', `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`));
    }
  }
}

interface Route {
  res: ResourceInfo;
  namespace?: string;
  name?: string;
  sub?: string;
}

/** Split /api/v1/... and /apis/g/v/... paths into resource, namespace, name and subresource. */
function parseRoute(path: string): Route | undefined {
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
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const res = lookupResource(group, version, rest[0]!);
  if (!res) return undefined;
  if (namespace !== undefined && !res.namespaced) return undefined;
  return { res, namespace, name: rest[1], sub: rest[2] };
}

function itemKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function apiGroupList() {
  const groups = new Map<string, Set<string>>();
  for (const r of RESOURCES) {
    if (!r.group) continue;
    if (!groups.has(r.group)) groups.set(r.group, new Set());
    groups.get(r.group)!.add(r.version);
  }
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups].map(([name, versions]) => {
      const vs = [...versions].map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
      return { name, versions: vs, preferredVersion: vs[0]! };
    }),
  };
}

function resourceList(group: string, version: string) {
  const rs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (!rs.length) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const r of rs) {
    resources.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: ALL_VERBS,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
    });
    for (const s of r.subresources) {
      resources.push({
        name: `${r.plural}/${s.name}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(s.group ? { group: s.group, version: s.version } : {}),
        kind: s.kind,
        verbs: s.verbs,
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

function patchType(contentType: string | undefined): PatchType {
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
      throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
  }
}

function deleteOptions(q: URLSearchParams, body: unknown): DeleteOptions {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const opts: DeleteOptions = {};
  const grace = q.get('gracePeriodSeconds') ?? b.gracePeriodSeconds;
  if (grace !== undefined && grace !== null) opts.gracePeriodSeconds = Number(grace);
  const prop = q.get('propagationPolicy') ?? b.propagationPolicy;
  if (prop === 'Background' || prop === 'Foreground' || prop === 'Orphan') opts.propagationPolicy = prop;
  if (b.orphanDependents === true) opts.propagationPolicy = 'Orphan';
  if (b.preconditions && typeof b.preconditions === 'object') opts.preconditions = b.preconditions as DeleteOptions['preconditions'];
  return opts;
}

async function readBody(req: IncomingMessage, optional = false, yaml = false): Promise<unknown> {
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
    throw badRequest(`the body of the request was in an unknown format: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * fieldValidation: Strict refuses unknown fields (400, the strict decoder's message); Warn (the
 * server default) answers with a Warning header per field; Ignore does neither.
 */
function checkFields(res: ServerResponse, info: ResourceInfo, mode: string | null, body: unknown): void {
  if (mode === 'Ignore') return;
  const unknown = unknownFields(info.kind, body);
  if (!unknown.length) return;
  if (mode === 'Strict') {
    throw badRequest(
      `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`,
    );
  }
  res.setHeader('Warning', unknown.map((f) => `299 - "unknown field \\"${f}\\""`));
}

/** A merge patch without its $-directives and deletions, for field checks. */
function withoutDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutDirectives);
  if (!v || typeof v !== 'object') return v;
  // null deletes a field, so an unknown field set to null is not an error.
  return Object.fromEntries(
    Object.entries(v as Record<string, unknown>)
      .filter(([k, x]) => !k.startsWith('$') && x !== null)
      .map(([k, x]) => [k, withoutDirectives(x)]),
  );
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

function injectedFailure(status: number, verb: string, resource: string, namespace: string | undefined, name: string | undefined): ApiError {
  if (status === 403) {
    return new ApiError(
      403,
      'Forbidden',
      `${resource} ${name ? `"${name}" ` : ''}is forbidden: User "system:serviceaccount:kubegrade:grader" cannot ${verb} resource "${resource}" in API group ""${namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope'}`,
      { ...(name ? { name } : {}), kind: resource },
    );
  }
  if (status === 429) {
    return new ApiError(429, 'TooManyRequests', 'The server has received too many requests and has asked us to try again later', { retryAfterSeconds: 1 });
  }
  return new ApiError(500, 'InternalError', 'Internal error occurred: injected fault (kube-sim faults.fail)');
}

function statusText(code: number): string {
  return (
    { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error' }[code] ?? 'Error'
  );
}
