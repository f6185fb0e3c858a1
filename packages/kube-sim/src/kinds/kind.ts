// What one served kind is, in one place: its API resource (discovery, routing, storage), its known
// fields, its printer columns, and the registry strategy of the upstream API server
// (k8s.io/apiserver/pkg/registry/rest: PrepareForCreate, PrepareForUpdate, Validate,
// ValidateUpdate, graceful deletion) plus the admission and allocation steps the kind needs.
// The generic Api (api.ts) calls these hooks and names no kind; a kind file is kinds/<kind>.ts.

import type { StatusCause } from '../errors.ts';
import type { Obj } from '../object.ts';
import type { KubeObject } from '../runtime-contract.ts';
import type { Shape } from '../schema.ts';
import type { Store } from '../store.ts';
import type { Printer } from '../table.ts';

/** One served resource (a plural name within a group/version). */
export interface ResourceInfo {
  group: string; // '' for the core group
  version: string;
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  subresources: { name: string; kind: string; group?: string; version?: string; verbs: string[] }[];
  /** True when status is only writable through the /status subresource. */
  hasStatus: boolean;
}

/** The verbs of every served resource. */
export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** A resource description with the usual defaults (singular = kind lowercased, no subresources). */
export function resource(
  group: string,
  version: string,
  plural: string,
  kind: string,
  namespaced: boolean,
  shortNames: string[],
  extra: Partial<ResourceInfo> = {},
): ResourceInfo {
  return {
    group,
    version,
    plural,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced,
    shortNames,
    categories: [],
    subresources: [],
    hasStatus: false,
    ...extra,
  };
}

/** The status subresource of a kind. */
export const statusSubresource = (kind: string) => ({
  name: 'status',
  kind,
  verbs: ['get', 'patch', 'update'],
});

/** DeleteOptions as clients send them (body or query). */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

/** What the hooks of a kind may use of the Api they run in. */
export interface KindContext {
  store: Store;
  /** State a kind keeps per Api (an IP allocator), created on first use and dropped by reset. */
  local<T>(key: string, init: () => T): T;
}

/** What a delete does once the kind has looked at it: keep the object as it is, remove it, or store it as changed. */
export type DeleteDecision = 'unchanged' | 'remove' | 'store';

/** One DELETE as the kind's onDelete sees it. */
export interface DeleteRequest {
  opts: DeleteOptions;
  /** The object's finalizers plus those the propagation policy adds (orphan, foregroundDeletion). */
  finalizers: Set<string>;
}

/** One served kind. Every hook is optional; without it the Api does what it does for any kind. */
export interface Kind {
  readonly resource: ResourceInfo;
  /** Known fields (strict field validation, pruning of unknown fields); none: anything goes. */
  readonly schema?: Shape;
  /** Server-side printing columns (`kubectl get`); none: NAME and AGE. */
  readonly printer?: Printer;
  /** Strategic-merge keys the kind adds to the shared ones, by dotted path ("spec.ports" -> "port"). */
  readonly mergeKeys?: Record<string, string>;
  /** Decode the spec of a protobuf body (`kubectl create namespace|service`); none: protobuf is refused (415). */
  protobufSpec?(spec: Buffer): Obj | undefined;
  /** Name rules (ValidateObjectMeta's name function); none: a DNS-1123 subdomain. */
  validateName?(name: string): StatusCause[];
  /** Fill defaults of a new or updated object (only missing fields). */
  defaults?(obj: KubeObject): void;
  /** PrepareForCreate: reset what a client may not set (status to its initial value). */
  prepareForCreate?(obj: KubeObject): void;
  /** Admission on create (defaulting plugins, protection finalizers); after defaults. */
  admit?(obj: KubeObject, ctx: KindContext): void;
  /** Validate a new object, or the new state of an update. */
  validate?(obj: KubeObject): StatusCause[];
  /** BeginCreate: allocate what the object holds (a cluster IP) once it is going to be stored (not on dry run). */
  beginCreate?(obj: KubeObject, ctx: KindContext): void;
  /** PrepareForUpdate: carry over from the old object what an update may not change; bump generation. */
  prepareForUpdate?(next: KubeObject, old: KubeObject): void;
  /** Update-only rules (immutable fields). */
  validateUpdate?(next: KubeObject, old: KubeObject): StatusCause[];
  /** Writes to subresources other than status (the namespace's finalize), by name. */
  readonly subresourceWrites?: Record<string, (old: KubeObject, incoming: KubeObject) => KubeObject>;
  /**
   * Deletion: set deletionTimestamp (and grace) on `next`, a copy of the object, and say what
   * to do. None: without finalizers the object goes at once, else it waits for them.
   */
  onDelete?(next: KubeObject, req: DeleteRequest): DeleteDecision;
  /** A terminating object stays without finalizers too, until its controller removes it (a pod by the kubelet). */
  readonly keepTerminating?: boolean;
  /** Objects of the kind may still be created in a terminating namespace (Events about its deletion). */
  readonly allowedInTerminatingNamespace?: boolean;
}
