// Looking up the API resources kube-sim serves (discovery, routing, the store, manifests). Each
// is described once, by its kind in kinds/<kind>.ts.

import { KINDS, type ResourceInfo } from './kinds/index.ts';

export { ALL_VERBS, type ResourceInfo } from './kinds/index.ts';

/** Every resource kube-sim serves (each described by its kind, kinds/<kind>.ts). */
export const RESOURCES: ResourceInfo[] = KINDS.map((k) => k.resource);

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
      (res.plural === base ||
        res.singular === base ||
        res.kind.toLowerCase() === base ||
        res.shortNames.includes(base)),
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
