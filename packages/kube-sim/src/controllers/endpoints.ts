// Endpoints and EndpointSlices for Services with a selector (pkg/controller/endpoint and
// pkg/controller/endpointslice): ready pods as addresses, others as not-ready, and a per-address
// hostname only when the pod's subdomain equals the Service name in the same namespace.

import { randomSuffix } from '../api.ts';
import { specOf as spec, splitKey, statusOf as status, type Obj } from '../object.ts';
import { findResource } from '../resources.ts';
import type { KubeObject } from '../runtime-contract.ts';
import { podIsReady } from '../runtime/pod-spec.ts';
import { matchesLabels, selectorFromMap } from '../selectors.ts';
import type { StoreEvent } from '../store.ts';
import type { Controller, ControllerContext } from './controller.ts';
import { WorkQueue } from './queue.ts';

const PODS = findResource('pods')!;
const SERVICES = findResource('services')!;
const ENDPOINTS = findResource('endpoints')!;
const SLICES = findResource('endpointslices')!;
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
const HEADLESS_LABEL = 'service.kubernetes.io/headless';

/** Resolve a Service targetPort (number or container port name) against a pod. */
function resolvePort(pod: KubeObject, target: unknown): number | undefined {
  if (typeof target === 'number') return target;
  if (typeof target === 'string' && /^\d+$/.test(target)) return Number(target);
  for (const c of (spec(pod).containers ?? []) as Obj[]) {
    for (const p of (c.ports ?? []) as Obj[]) if (p.name === target) return Number(p.containerPort);
  }
  return undefined;
}

/** Maintains Endpoints and EndpointSlices. */
export class EndpointsController implements Controller {
  readonly queue: WorkQueue;

  constructor(private readonly o: ControllerContext) {
    this.queue = new WorkQueue('endpoints', (k) => this.sync(k), o.onError);
  }

  get queues() {
    return [this.queue];
  }

  /** React to a store change. */
  onEvent(ev: StoreEvent): void {
    if (ev.res === SERVICES) {
      this.queue.add(`${ev.object.metadata.namespace}/${ev.object.metadata.name}`);
    } else if (ev.res === PODS) {
      const ns = ev.object.metadata.namespace;
      for (const svc of this.o.api.store.list(SERVICES, ns)) {
        const sel = spec(svc).selector as Record<string, string> | undefined;
        if (!sel || !Object.keys(sel).length) continue;
        const s = selectorFromMap(sel);
        if (
          matchesLabels(s, ev.object.metadata.labels) ||
          (ev.old && matchesLabels(s, ev.old.metadata.labels))
        ) {
          this.queue.add(`${ns}/${svc.metadata.name}`);
        }
      }
    }
  }

  /** Forget queued work. */
  clear(): void {
    this.queue.clear();
  }

  private sync(key: string): void {
    const api = this.o.api;
    const { namespace: ns, name } = splitKey(key);
    const svc = api.store.get(SERVICES, ns, name);
    const slices = api.list(SLICES, ns, `${SERVICE_NAME_LABEL}=${name}`);
    if (!svc || svc.metadata.deletionTimestamp) {
      if (api.store.get(ENDPOINTS, ns, name)) api.removeNow(ENDPOINTS, ns, name);
      for (const s of slices) api.removeNow(SLICES, ns, s.metadata.name);
      return;
    }
    const selector = spec(svc).selector as Record<string, string> | undefined;
    if (!selector || !Object.keys(selector).length) return;
    const sel = selectorFromMap(selector);
    const headless = spec(svc).clusterIP === 'None';
    const publishNotReady = spec(svc).publishNotReadyAddresses === true;
    const svcPorts = (spec(svc).ports ?? []) as Obj[];
    const pods = api.store
      .list(PODS, ns)
      .filter(
        (p) =>
          matchesLabels(sel, p.metadata.labels) &&
          status(p).podIP &&
          !['Succeeded', 'Failed'].includes(String(status(p).phase)),
      );

    const addresses: Obj[] = [];
    const notReady: Obj[] = [];
    const sliceEndpoints: Obj[] = [];
    let ports: Obj[] | undefined;
    for (const pod of pods) {
      const ready = podIsReady(pod);
      const terminating = Boolean(pod.metadata.deletionTimestamp);
      const hostname =
        spec(pod).hostname && spec(pod).subdomain === name ? String(spec(pod).hostname) : undefined;
      const targetRef = { kind: 'Pod', namespace: ns, name: pod.metadata.name, uid: pod.metadata.uid };
      const address: Obj = {
        ip: status(pod).podIP,
        ...(hostname ? { hostname } : {}),
        nodeName: spec(pod).nodeName,
        targetRef,
      };
      if (!terminating) {
        if (ready || publishNotReady) addresses.push(address);
        else notReady.push(address);
      }
      sliceEndpoints.push({
        addresses: [status(pod).podIP],
        conditions: { ready: !terminating && (ready || publishNotReady), serving: ready, terminating },
        ...(hostname ? { hostname } : {}),
        targetRef,
        nodeName: spec(pod).nodeName,
      });
      if (!ports) {
        ports = [];
        for (const sp of svcPorts) {
          const port = resolvePort(pod, sp.targetPort ?? sp.port);
          if (port === undefined) continue;
          ports.push({
            ...(sp.name ? { name: sp.name } : {}),
            port,
            protocol: sp.protocol ?? 'TCP',
            ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
          });
        }
      }
    }
    const labels: Record<string, string> = {
      ...(svc.metadata.labels ?? {}),
      ...(headless ? { [HEADLESS_LABEL]: '' } : {}),
    };
    const subsets =
      addresses.length || notReady.length
        ? [
            {
              ...(addresses.length ? { addresses } : {}),
              ...(notReady.length ? { notReadyAddresses: notReady } : {}),
              ...(ports && ports.length ? { ports } : {}),
            },
          ]
        : [];

    const existing = api.store.get(ENDPOINTS, ns, name);
    if (!existing) {
      api.createInternal(ENDPOINTS, {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name, namespace: ns, uid: '', labels },
        ...(subsets.length ? { subsets } : {}),
      });
    } else {
      api.mutate(ENDPOINTS, ns, name, (e) => {
        e.metadata.labels = labels;
        if (subsets.length) e.subsets = subsets;
        else delete e.subsets;
      });
    }

    // The EndpointSlice controller skips ExternalName Services (upstream syncService returns early).
    if (spec(svc).type === 'ExternalName') return;
    const sliceLabels = {
      ...labels,
      [SERVICE_NAME_LABEL]: name,
      [MANAGED_BY]: 'endpointslice-controller.k8s.io',
    };
    const slicePorts = (
      ports ??
      svcPorts.map((sp) => ({
        name: sp.name ?? '',
        port: sp.targetPort ?? sp.port,
        protocol: sp.protocol ?? 'TCP',
      }))
    ).map((p) => ({
      name: p.name ?? '',
      port: p.port,
      protocol: p.protocol,
    }));
    const body = {
      addressType: 'IPv4',
      endpoints: sliceEndpoints,
      ports: slicePorts.length ? slicePorts : null,
    };
    const [first, ...extra] = slices;
    if (!first) {
      api.createInternal(SLICES, {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: `${name}-${randomSuffix()}`,
          generateName: `${name}-`,
          namespace: ns,
          uid: '',
          labels: sliceLabels,
          ownerReferences: [
            {
              apiVersion: 'v1',
              kind: 'Service',
              name,
              uid: svc.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        ...body,
      });
    } else {
      api.mutate(SLICES, ns, first.metadata.name, (s) => {
        s.metadata.labels = sliceLabels;
        Object.assign(s, body);
      });
    }
    for (const s of extra) api.removeNow(SLICES, ns, s.metadata.name);
  }
}
