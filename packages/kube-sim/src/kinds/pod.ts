// Pod (core/v1): defaults of the pod spec, QoS class and phase Pending on create, the fields an
// update may change, graceful deletion (the kubelet stops the containers, then removes the pod),
// the exec and log subresources.

import { podSpecDefaults, setDefault } from '../defaults.ts';
import { cause, type StatusCause } from '../errors.ts';
import { specOf, statusOf, timestamp, type Obj } from '../object.ts';
import type { KubeObject } from '../runtime-contract.ts';
import { POD_SPEC, top } from '../schema.ts';
import { AGE, age, col, NAME } from '../table.ts';
import { checkPodSpec, same, specUpdate } from '../validation.ts';
import { resource, statusSubresource, type Kind } from './kind.ts';

export const pod: Kind = {
  resource: resource('', 'v1', 'pods', 'Pod', true, ['po'], {
    hasStatus: true,
    categories: ['all'],
    subresources: [
      statusSubresource('Pod'),
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
    ],
  }),
  schema: top({ spec: POD_SPEC }),
  printer: {
    columns: [
      NAME,
      col('Ready', { description: 'The aggregate readiness state of this pod for accepting traffic.' }),
      col('Status', { description: 'The aggregate status of the containers in this pod.' }),
      col('Restarts', {
        description:
          'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
      }),
      AGE,
      col('IP', { priority: 1, description: 'podIP address allocated to the pod.' }),
      col('Node', {
        priority: 1,
        description: 'NodeName is a request to schedule this pod onto a specific node.',
      }),
      col('Nominated Node', { priority: 1 }),
      col('Readiness Gates', { priority: 1 }),
    ],
    row: podRow,
  },
  defaults(pod) {
    const spec = pod.spec;
    if (!spec) return;
    podSpecDefaults(spec);
    setDefault(spec, 'serviceAccountName', 'default');
    setDefault(spec, 'serviceAccount', spec.serviceAccountName);
    setDefault(spec, 'enableServiceLinks', true);
    setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
    setDefault(spec, 'priority', 0);
    setDefault(spec, 'tolerations', [
      {
        key: 'node.kubernetes.io/not-ready',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
    ]);
  },
  prepareForCreate(pod) {
    pod.status = { phase: 'Pending', qosClass: qosClass(pod) };
  },
  validate(pod) {
    const out: StatusCause[] = [];
    checkPodSpec('spec', pod.spec, out);
    return out;
  },
  validateUpdate: specUpdate((ns, os) => {
    const strip = (s: Obj) => {
      const c = structuredClone(s);
      delete c.activeDeadlineSeconds;
      delete c.tolerations;
      delete c.nodeName;
      if (Array.isArray(c.containers)) for (const x of c.containers as Obj[]) delete x.image;
      if (Array.isArray(c.initContainers)) for (const x of c.initContainers as Obj[]) delete x.image;
      return c;
    };
    if (same(strip(ns), strip(os))) return [];
    return [
      cause.forbidden(
        'spec',
        'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
      ),
    ];
  }),
  // Graceful deletion: deletionTimestamp = now + grace; a shorter grace shortens a deletion under
  // way; a pod never scheduled, or deleted with grace 0 and no finalizers, goes at once.
  onDelete(pod, { opts, finalizers }) {
    const spec = specOf(pod);
    const meta = pod.metadata;
    let grace =
      opts.gracePeriodSeconds ??
      (typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30);
    if (!spec.nodeName) grace = 0; // never scheduled: nothing to stop
    const prevGrace =
      typeof meta.deletionGracePeriodSeconds === 'number' ? meta.deletionGracePeriodSeconds : undefined;
    if (meta.deletionTimestamp && (prevGrace === undefined || grace >= prevGrace) && grace !== 0)
      return 'unchanged';
    if (grace === 0 && finalizers.size === 0) return 'remove';
    meta.deletionTimestamp = timestamp(Date.now() + grace * 1000);
    meta.deletionGracePeriodSeconds = grace;
    if (finalizers.size) meta.finalizers = [...finalizers];
    return 'store';
  },
  keepTerminating: true,
};

/** The pod's QoS class, as the API server computes it on create. */
function qosClass(pod: KubeObject): string {
  const containers = (specOf(pod).containers ?? []) as Obj[];
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

/** The row of `kubectl get pods`: READY, STATUS as the printer derives it, RESTARTS, ... */
function podRow(pod: KubeObject): unknown[] {
  const spec = specOf(pod);
  const status = statusOf(pod);
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  const statuses = (Array.isArray(status.containerStatuses) ? status.containerStatuses : []) as Obj[];
  let reason =
    typeof status.reason === 'string' && status.reason ? status.reason : String(status.phase ?? '');
  let ready = 0;
  let restarts = 0;
  let hasRunning = false;
  for (let i = statuses.length - 1; i >= 0; i--) {
    const cs = statuses[i]!;
    restarts += Number(cs.restartCount ?? 0);
    const state = (cs.state ?? {}) as Obj;
    const waiting = state.waiting as Obj | undefined;
    const terminated = state.terminated as Obj | undefined;
    if (waiting && waiting.reason) reason = String(waiting.reason);
    else if (terminated && terminated.reason) reason = String(terminated.reason);
    else if (terminated)
      reason = terminated.signal
        ? `Signal:${String(terminated.signal)}`
        : `ExitCode:${String(terminated.exitCode)}`;
    else if (state.running && cs.ready) {
      hasRunning = true;
      ready++;
    }
  }
  if (reason === 'Completed' && hasRunning) reason = 'Running';
  if (pod.metadata.deletionTimestamp) reason = 'Terminating';
  return [
    pod.metadata.name,
    `${ready}/${containers.length}`,
    reason,
    String(restarts),
    age(pod.metadata.creationTimestamp),
    status.podIP ? String(status.podIP) : '<none>',
    spec.nodeName ? String(spec.nodeName) : '<none>',
    status.nominatedNodeName ? String(status.nominatedNodeName) : '<none>',
    Array.isArray(spec.readinessGates) && spec.readinessGates.length
      ? `0/${spec.readinessGates.length}`
      : '<none>',
  ];
}
