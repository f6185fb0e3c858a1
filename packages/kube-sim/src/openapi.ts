// A minimal OpenAPI v3 surface. kubectl (validate=strict, the default) reads /openapi/v3 to learn
// whether the server validates fields itself (the `fieldValidation` query parameter on PATCH);
// when it does, kubectl sends fieldValidation=Strict instead of validating client-side. The
// documents deliberately carry no strategic-merge-patch request body, so `kubectl apply` computes
// its patches from its compiled-in Go types, exactly as it does for built-in kinds.

import { createHash } from 'node:crypto';
import { RESOURCES } from './resources.ts';

const QUERY_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'].map((name) => ({
  name,
  in: 'query',
  schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
}));

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** The document for one group/version, or undefined. */
export function openApiV3GroupVersion(path: string): Record<string, unknown> | undefined {
  const rs = RESOURCES.filter((r) => gvPath(r.group, r.version) === path);
  if (!rs.length) return undefined;
  const paths: Record<string, unknown> = {};
  for (const r of rs) {
    const base = `/${path}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}/{name}`;
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    paths[base] = {
      get: {
        operationId: `read${r.kind}`,
        'x-kubernetes-action': 'get',
        'x-kubernetes-group-version-kind': gvk,
        responses: { '200': { description: 'OK' } },
      },
      patch: {
        operationId: `patch${r.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk,
        parameters: QUERY_PARAMS,
        responses: { '200': { description: 'OK' } },
      },
      parameters: [
        { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
        ...(r.namespaced
          ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string' } }]
          : []),
      ],
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes (kube-sim)', version: 'v1.32.4' },
    paths,
    components: { schemas: {} },
  };
}

/** The /openapi/v3 index of group/version documents. */
export function openApiV3Root(): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const r of RESOURCES) {
    const p = gvPath(r.group, r.version);
    if (paths[p]) continue;
    const hash = createHash('sha512')
      .update(JSON.stringify(openApiV3GroupVersion(p)))
      .digest('hex')
      .slice(0, 32)
      .toUpperCase();
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
  }
  return { paths };
}
