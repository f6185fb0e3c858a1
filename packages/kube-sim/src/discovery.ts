// What a client reads before it touches a resource: /version, the health endpoints, API
// discovery (/api, /apis, each group and group/version) and the OpenAPI v3 documents.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './errors.ts';
import { openApiV3GroupVersion, openApiV3Root } from './openapi.ts';
import { ALL_VERBS, RESOURCES } from './resources.ts';
import { sendJson } from './request.ts';

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

/** Answer a GET of a non-resource path; false when the path is not one (a resource request). */
export function serveDiscovery(req: IncomingMessage, res: ServerResponse, path: string): boolean {
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
    sendJson(
      res,
      404,
      new ApiError(404, 'NotFound', 'the server could not find the requested resource').toStatus(),
    );
    return true;
  }
  return false;
}

/** The APIGroupList of /apis: every named group with its versions. */
export function apiGroupList() {
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

/** The APIResourceList of one group/version, subresources included; undefined when none is served. */
export function resourceList(group: string, version: string) {
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
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}
