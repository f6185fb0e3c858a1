// Every kind kube-sim serves, in discovery order. Adding a kind: write kinds/<kind>.ts and list it here.

import type { ResourceInfo, Kind } from './kind.ts';
import { endpoints } from './endpoints.ts';
import { endpointSlice } from './endpointslice.ts';
import { event } from './event.ts';
import { namespace } from './namespace.ts';
import { node } from './node.ts';
import { persistentVolume } from './persistentvolume.ts';
import { persistentVolumeClaim } from './persistentvolumeclaim.ts';
import { pod } from './pod.ts';
import { service } from './service.ts';
import { statefulSet } from './statefulset.ts';
import { storageClass } from './storageclass.ts';

export type {
  DeleteDecision,
  DeleteOptions,
  DeleteRequest,
  Kind,
  KindContext,
  ResourceInfo,
} from './kind.ts';
export { ALL_VERBS } from './kind.ts';

/** The served kinds. */
export const KINDS: readonly Kind[] = [
  namespace,
  node,
  persistentVolume,
  persistentVolumeClaim,
  pod,
  service,
  endpoints,
  event,
  statefulSet,
  storageClass,
  endpointSlice,
];

const byResource = new Map<ResourceInfo, Kind>(KINDS.map((k) => [k.resource, k]));
const byName = new Map<string, Kind>(KINDS.map((k) => [k.resource.kind, k]));

/** The kind served as this resource. */
export function kindOf(res: ResourceInfo): Kind {
  return byResource.get(res) ?? { resource: res };
}

/** The kind of this name ("Pod"), if served. */
export function kindNamed(kind: string): Kind | undefined {
  return byName.get(kind);
}
