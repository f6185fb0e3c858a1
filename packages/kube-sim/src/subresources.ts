// The subresources served by their own code rather than as a view of the object: scale (any kind
// that declares it: spec.replicas, status.replicas, spec.selector), a pod's log, and a pod's exec
// (a WebSocket upgrade; a plain request is refused as the real server refuses it).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Api } from './api.ts';
import { ApiError, badRequest, methodNotAllowed, notFound } from './errors.ts';
import { injectedFailure, type Faults } from './faults.ts';
import { specOf, statusOf } from './object.ts';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.ts';
import { parseRoute, patchType, readBody, sendJson, type RequestRecord, type Route } from './request.ts';
import type { KubeObject, PodRuntime } from './runtime-contract.ts';
import { formatSelector, selectorFromObject } from './selectors.ts';

/** Hands an exec upgrade to the exec implementation (exec-ws.ts). */
export type ExecUpgradeHandler = (
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  ctx: { pod: KubeObject; container: string; command: string[]; runtime: PodRuntime; faults: Faults },
) => void;

/** One request to a subresource with its own handler. */
export interface SubresourceRequest {
  api: Api;
  req: IncomingMessage;
  res: ServerResponse;
  route: Route & { name: string; sub: string };
  dryRun: boolean;
}

/** The subresources with their own handler, by name (status and finalize are writes of the object: api.ts). */
export const SUBRESOURCE_HANDLERS: Record<string, (r: SubresourceRequest) => Promise<void>> = {
  scale: serveScale,
  async log({ api, res, route }) {
    api.get(route.res, route.namespace, route.name);
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('');
  },
  // exec is a WebSocket upgrade (serveExecUpgrade); a plain request cannot carry it.
  async exec({ api, route }) {
    api.get(route.res, route.namespace, route.name);
    throw badRequest('Upgrade request required');
  },
};

/** The autoscaling/v1 Scale of an object. */
function toScale(o: KubeObject) {
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      creationTimestamp: o.metadata.creationTimestamp,
    },
    spec: { replicas: Number(specOf(o).replicas ?? 1) },
    status: {
      replicas: Number(statusOf(o).replicas ?? 0),
      selector: formatSelector(selectorFromObject(specOf(o).selector)),
    },
  };
}

/** GET, PUT or PATCH the scale subresource: a write sets spec.replicas (with the Scale's resourceVersion as precondition). */
async function serveScale({ api, req, res, route, dryRun }: SubresourceRequest): Promise<void> {
  const obj = api.get(route.res, route.namespace, route.name);
  if (req.method === 'GET') {
    sendJson(res, 200, toScale(obj));
    return;
  }
  let scale: ReturnType<typeof toScale>;
  if (req.method === 'PUT') scale = (await readBody(req)) as ReturnType<typeof toScale>;
  else if (req.method === 'PATCH') {
    const type = patchType(req.headers['content-type']);
    const body = await readBody(req, false, type === 'apply');
    const cur = toScale(obj);
    scale = (
      type === 'json'
        ? jsonPatch(cur, body)
        : type === 'merge'
          ? mergePatch(cur, body)
          : strategicMergePatch('Scale', cur, body)
    ) as typeof cur;
  } else throw methodNotAllowed('the server does not allow this method on the requested resource');
  const replicas = scale?.spec?.replicas;
  if (typeof replicas !== 'number' || replicas < 0) {
    throw new ApiError(
      422,
      'Invalid',
      `Scale.autoscaling "${route.name}" is invalid: spec.replicas: Invalid value: ${String(replicas)}: must be greater than or equal to 0`,
    );
  }
  const rv = scale.metadata?.resourceVersion;
  const updated = api.patch(
    route.res,
    route.namespace,
    route.name,
    'merge',
    { spec: { replicas }, ...(rv ? { metadata: { resourceVersion: rv } } : {}) },
    { dryRun },
  );
  sendJson(res, 200, toScale(updated));
}

/** What the exec upgrade needs from the server. */
export interface ExecUpgradeDeps {
  api: Api;
  faults: Faults;
  runtime: PodRuntime;
  execHandler?: ExecUpgradeHandler;
  onRequest?: (r: RequestRecord) => void;
}

/**
 * An upgrade to pods/{name}/exec: checks what the kubelet checks (the container, a scheduled and
 * running pod) and hands the socket to the exec handler; anything else is answered with a Status
 * on the raw socket.
 */
export function serveExecUpgrade(
  deps: ExecUpgradeDeps,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): void {
  const url = new URL(req.url ?? '/', 'http://kube-sim');
  const route = parseRoute(url.pathname.replace(/\/+$/, ''));
  if (
    !route ||
    route.sub !== 'exec' ||
    !route.name ||
    !route.res.subresources.some((s) => s.name === 'exec')
  ) {
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
  const resource = `${route.res.plural}/exec`;
  deps.onRequest?.({
    verb: 'create',
    group: route.res.group,
    resource: route.res.plural,
    subresource: 'exec',
    ...(route.namespace ? { namespace: route.namespace } : {}),
  });
  const failure = deps.faults.takeFailure('create', resource, route.namespace);
  if (failure) throw injectedFailure(failure.status, 'create', resource, route.namespace, route.name);
  const pod = deps.api.store.get(route.res, route.namespace, route.name);
  if (!pod) throw notFound(route.res, route.name);
  const spec = (pod.spec ?? {}) as { nodeName?: string; containers?: { name: string }[] };
  const containers = (spec.containers ?? []).map((c) => c.name);
  let container = url.searchParams.get('container') ?? '';
  if (!container) {
    if (containers.length === 1) container = containers[0]!;
    else
      throw badRequest(
        `a container name must be specified for pod ${route.name}, choose one of: [${containers.join(' ')}]`,
      );
  }
  if (!containers.includes(container))
    throw badRequest(`container ${container} is not valid for pod ${route.name}`);
  const phase = String(statusOf(pod).phase ?? '');
  if (!spec.nodeName) throw badRequest(`pod ${route.name} does not have a host assigned`);
  if (phase === 'Succeeded' || phase === 'Failed')
    throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  if (phase !== 'Running')
    throw badRequest(`unable to upgrade connection: container not found ("${container}")`);
  const command = url.searchParams.getAll('command');
  if (!deps.execHandler) throw badRequest('exec is not available: this kube-sim build has no exec handler');
  deps.execHandler(req, socket, head, {
    pod,
    container,
    command,
    runtime: deps.runtime,
    faults: deps.faults,
  });
}
