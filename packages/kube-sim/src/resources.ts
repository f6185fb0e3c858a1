// The API resources kube-sim serves, described once and used by discovery, routing, the store
// and the printers.

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

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function r(
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

const statusSub = (kind: string) => ({ name: 'status', kind, verbs: ['get', 'patch', 'update'] });

/** Every resource kube-sim serves. */
export const RESOURCES: ResourceInfo[] = [
  r('', 'v1', 'namespaces', 'Namespace', false, ['ns'], {
    hasStatus: true,
    subresources: [statusSub('Namespace'), { name: 'finalize', kind: 'Namespace', verbs: ['update'] }],
  }),
  r('', 'v1', 'nodes', 'Node', false, ['no'], { hasStatus: true, subresources: [statusSub('Node')] }),
  r('', 'v1', 'persistentvolumes', 'PersistentVolume', false, ['pv'], {
    hasStatus: true,
    subresources: [statusSub('PersistentVolume')],
  }),
  r('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc'], {
    hasStatus: true,
    subresources: [statusSub('PersistentVolumeClaim')],
  }),
  r('', 'v1', 'pods', 'Pod', true, ['po'], {
    hasStatus: true,
    categories: ['all'],
    subresources: [
      statusSub('Pod'),
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
    ],
  }),
  r('', 'v1', 'services', 'Service', true, ['svc'], {
    hasStatus: true,
    categories: ['all'],
    subresources: [statusSub('Service')],
  }),
  r('', 'v1', 'endpoints', 'Endpoints', true, ['ep'], { singular: 'endpoints' }),
  r('', 'v1', 'events', 'Event', true, ['ev']),
  r('apps', 'v1', 'statefulsets', 'StatefulSet', true, ['sts'], {
    hasStatus: true,
    categories: ['all'],
    subresources: [
      statusSub('StatefulSet'),
      { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
    ],
  }),
  r('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, ['sc']),
  r('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true, []),
];

const byKey = new Map<string, ResourceInfo>();
for (const res of RESOURCES) byKey.set(`${res.group}/${res.version}/${res.plural}`, res);

/** The resource served at /api(s)/{group}/{version}/{plural}. */
export function lookupResource(group: string, version: string, plural: string): ResourceInfo | undefined {
  return byKey.get(`${group}/${version}/${plural}`);
}

/** Find a resource by plural, singular, short name or kind, optionally group-qualified ("statefulsets.apps"). */
export function findResource(name: string): ResourceInfo | undefined {
  const lower = name.toLowerCase();
  const dot = lower.indexOf('.');
  const base = dot >= 0 ? lower.slice(0, dot) : lower;
  const group = dot >= 0 ? lower.slice(dot + 1) : undefined;
  return RESOURCES.find(
    (res) =>
      (group === undefined || res.group === group) &&
      (res.plural === base || res.singular === base || res.kind.toLowerCase() === base || res.shortNames.includes(base)),
  );
}

/** The resource for an apiVersion + kind pair, as found in manifests. */
export function resourceForKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  return RESOURCES.find((res) => res.group === group && res.version === version && res.kind === kind);
}

/** "v1" or "apps/v1". */
export function apiVersionOf(res: ResourceInfo): string {
  return res.group ? `${res.group}/${res.version}` : res.version;
}

/** Stable key for a resource, used to index the store. */
export function resourceKey(res: ResourceInfo): string {
  return res.group ? `${res.plural}.${res.group}` : res.plural;
}

export { ALL_VERBS };
