// A resource request, once routed: the verb in RBAC terms, injected faults, then the collection
// verbs (list with pagination, watch, create, deletecollection), the object verbs (get, update,
// patch, delete) and the subresources, each answered through the Api.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Api } from './api.ts';
import { ApiError, methodNotAllowed } from './errors.ts';
import { injectedFailure, type Faults } from './faults.ts';
import { kindOf } from './kinds/index.ts';
import { objectKey } from './object.ts';
import { apiVersionOf } from './resources.ts';
import {
  checkFields,
  deleteOptions,
  patchType,
  readBody,
  sendJson,
  verbOf,
  withoutDirectives,
  type RequestRecord,
  type Route,
} from './request.ts';
import type { KubeObject } from './runtime-contract.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { SUBRESOURCE_HANDLERS } from './subresources.ts';
import { toTable } from './table.ts';
import { serveWatch } from './watch.ts';

/** What dispatch needs from the server. */
export interface DispatchDeps {
  api: Api;
  faults: Faults;
  onRequest?: (r: RequestRecord) => void;
  /** Closers of the open watches (the server ends them on reset and stop). */
  watchClosers: Set<() => void>;
}

/** One page of a list. */
export interface Page {
  items: KubeObject[];
  /** The continue token of the next page, when there is one. */
  next?: string;
  /** How many items follow this page (set with next). */
  remaining?: number;
}

/**
 * Pagination: the continue token is the base64url of the key ("namespace/name") of the last item
 * returned; a page holds `limit` items (all when limit is 0).
 */
export function paginate(items: KubeObject[], continueToken: string | null, limit: number): Page {
  if (continueToken) {
    const after = Buffer.from(continueToken, 'base64url').toString('utf8');
    items = items.filter((o) => itemKey(o) > after);
  }
  if (limit > 0 && items.length > limit) {
    const page = items.slice(0, limit);
    return {
      items: page,
      next: Buffer.from(itemKey(page[page.length - 1]!), 'utf8').toString('base64url'),
      remaining: items.length - limit,
    };
  }
  return { items };
}

const itemKey = (o: KubeObject) => objectKey(o.metadata.namespace, o.metadata.name);

/** Serve a routed resource request. */
export async function dispatch(
  deps: DispatchDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  route: Route,
): Promise<void> {
  const { api, faults } = deps;
  const q = url.searchParams;
  const info = route.res;
  const printer = kindOf(info).printer;
  const method = req.method ?? 'GET';
  const isCollection = route.name === undefined;
  const watch = q.get('watch') === 'true' || q.get('watch') === '1';
  const verb = verbOf(method, isCollection, watch);
  const faultResource = route.sub ? `${info.plural}/${route.sub}` : info.plural;
  deps.onRequest?.({
    verb,
    group: info.group,
    resource: info.plural,
    ...(route.sub ? { subresource: route.sub } : {}),
    ...(route.namespace ? { namespace: route.namespace } : {}),
  });
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
            render: wantsTable
              ? (o) => toTable(printer, [o], o.metadata.resourceVersion ?? '', includeObject)
              : (o) => o,
            dropAfterMs: faults.current.dropWatchAfterMs,
          },
          res,
          deps.watchClosers,
        );
        return;
      }
      const rv = String(api.store.resourceVersion);
      const { items, next, remaining } = paginate(
        api.list(info, route.namespace, ls, fs),
        q.get('continue'),
        Number(q.get('limit') ?? 0),
      );
      const listMeta: Record<string, unknown> = { resourceVersion: rv };
      if (next) {
        listMeta.continue = next;
        listMeta.remainingItemCount = remaining;
      }
      if (wantsTable)
        sendJson(res, 200, toTable(printer, items, rv, includeObject, next ? { continue: next } : {}));
      else
        sendJson(res, 200, {
          kind: info.listKind,
          apiVersion: apiVersionOf(info),
          metadata: listMeta,
          items,
        });
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
      const items = api.list(
        info,
        route.namespace,
        q.get('labelSelector') ?? undefined,
        q.get('fieldSelector') ?? undefined,
      );
      const deleted = items.map((o) => api.delete(info, o.metadata.namespace, o.metadata.name, opts));
      sendJson(res, 200, {
        kind: info.listKind,
        apiVersion: apiVersionOf(info),
        metadata: { resourceVersion: String(api.store.resourceVersion) },
        items: deleted,
      });
      return;
    }
    throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  }

  const name = route.name!;
  if (route.sub) {
    if (!info.subresources.some((s) => s.name === route.sub))
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const serve = SUBRESOURCE_HANDLERS[route.sub];
    if (serve) {
      await serve({ api, req, res, route: { ...route, name, sub: route.sub }, dryRun });
      return;
    }
  }
  switch (method) {
    case 'GET': {
      const obj = api.get(info, route.namespace, name);
      if (wantsTable && !route.sub)
        sendJson(res, 200, toTable(printer, [obj], obj.metadata.resourceVersion ?? '', includeObject));
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
      if (!route.sub && type !== 'json')
        checkFields(res, info, q.get('fieldValidation'), withoutDirectives(body));
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
