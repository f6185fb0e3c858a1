// The validation rules the kinds share, with the field paths and messages of the real API server
// (k8s.io/kubernetes/pkg/apis/*/validation): names, labels, access modes, pod specs. Each kind's
// own rules are in kinds/<kind>.ts.

import { cause, type StatusCause } from './errors.ts';
import { isObj, type Obj } from './object.ts';
import type { KubeObject } from './runtime-contract.ts';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const MSG_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
export const MSG_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const MSG_1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
/** The persistent volume sources a PersistentVolume names exactly one of. */
export const VOLUME_SOURCES = [
  'nfs',
  'hostPath',
  'local',
  'csi',
  'iscsi',
  'fc',
  'rbd',
  'cephfs',
  'glusterfs',
  'awsElasticBlockStore',
  'gcePersistentDisk',
  'azureDisk',
  'azureFile',
  'cinder',
  'flexVolume',
  'flocker',
  'photonPersistentDisk',
  'portworxVolume',
  'quobyte',
  'scaleIO',
  'storageos',
  'vsphereVolume',
];

/** True for a DNS-1123 label (no length check). */
export const isDnsLabel = (name: string): boolean => DNS1123_LABEL.test(name);

/** True for a DNS-1123 subdomain (no length check). */
export const isDnsSubdomain = (name: string): boolean => DNS1123_SUBDOMAIN.test(name);

/** NameIsDNSSubdomain: what most kinds require of metadata.name. */
export function nameIsDnsSubdomain(name: string): StatusCause[] {
  return !DNS1123_SUBDOMAIN.test(name) || name.length > 253
    ? [cause.invalid('metadata.name', name, MSG_SUBDOMAIN)]
    : [];
}

/** NameIsDNSLabel (namespaces). */
export function nameIsDnsLabel(name: string): StatusCause[] {
  return !DNS1123_LABEL.test(name) || name.length > 63
    ? [cause.invalid('metadata.name', name, MSG_LABEL)]
    : [];
}

/** NameIsDNS1035Label (services). */
export function nameIsDns1035Label(name: string): StatusCause[] {
  return !DNS1035_LABEL.test(name) || name.length > 63
    ? [cause.invalid('metadata.name', name, MSG_1035)]
    : [];
}

/** ValidateObjectMeta: a name (checked by the kind's rule) and valid labels. */
export function validateObjectMeta(
  obj: KubeObject,
  validateName: (name: string) => StatusCause[] = nameIsDnsSubdomain,
): StatusCause[] {
  const out: StatusCause[] = [];
  const name = obj.metadata.name;
  if (!name) out.push(cause.required('metadata.name', 'name or generateName is required'));
  else out.push(...validateName(name));
  checkLabels('metadata.labels', obj.metadata.labels, out);
  return out;
}

function checkLabels(path: string, labels: unknown, out: StatusCause[]): void {
  if (!isObj(labels)) return;
  for (const [k, v] of Object.entries(labels)) {
    if (
      typeof v !== 'string' ||
      (v !== '' && !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(v)) ||
      v.length > 63
    ) {
      out.push(
        cause.invalid(
          path,
          v,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
      );
    }
    if (
      !/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(
        k,
      )
    ) {
      out.push(
        cause.invalid(
          path,
          k,
          "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        ),
      );
    }
  }
}

export function checkAccessModes(
  path: string,
  modes: unknown,
  out: StatusCause[],
  requiredDetail: string,
): void {
  if (!Array.isArray(modes) || modes.length === 0) {
    out.push(cause.required(path, requiredDetail));
    return;
  }
  for (const m of modes)
    if (!ACCESS_MODES.includes(String(m))) out.push(cause.unsupported(path, m, ACCESS_MODES));
}

/** ValidatePodSpec for the fields kube-sim models (pods and pod templates). */
export function checkPodSpec(path: string, spec: unknown, out: StatusCause[]): void {
  if (!isObj(spec)) {
    out.push(cause.required(`${path}.containers`));
    return;
  }
  const containers = spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) out.push(cause.required(`${path}.containers`));
  const volumeNames = new Set<string>();
  if (Array.isArray(spec.volumes)) {
    spec.volumes.forEach((v, i) => {
      const name = isObj(v) ? String(v.name ?? '') : '';
      if (!name) out.push(cause.required(`${path}.volumes[${i}].name`));
      else if (volumeNames.has(name)) out.push(cause.duplicate(`${path}.volumes[${i}].name`, name));
      volumeNames.add(name);
      if (isObj(v) && isObj(v.persistentVolumeClaim) && !v.persistentVolumeClaim.claimName) {
        out.push(cause.required(`${path}.volumes[${i}].persistentVolumeClaim.claimName`));
      }
    });
  }
  if (Array.isArray(containers)) {
    const names = new Set<string>();
    containers.forEach((c, i) => {
      const p = `${path}.containers[${i}]`;
      if (!isObj(c)) return;
      const name = String(c.name ?? '');
      if (!name) out.push(cause.required(`${p}.name`));
      else if (!DNS1123_LABEL.test(name)) out.push(cause.invalid(`${p}.name`, name, MSG_LABEL));
      else if (names.has(name)) out.push(cause.duplicate(`${p}.name`, name));
      names.add(name);
      if (!c.image) out.push(cause.required(`${p}.image`));
      if (Array.isArray(c.volumeMounts)) {
        c.volumeMounts.forEach((m, j) => {
          if (!isObj(m)) return;
          if (!m.mountPath) out.push(cause.required(`${p}.volumeMounts[${j}].mountPath`));
          if (m.name && !volumeNames.has(String(m.name)))
            out.push({
              reason: 'FieldValueNotFound',
              message: `Not found: ${JSON.stringify(m.name)}`,
              field: `${p}.volumeMounts[${j}].name`,
            });
        });
      }
    });
  }
}

/** The message of a quantity that does not parse. */
export const MSG_QUANTITY =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** Same JSON value (missing = null), for immutability rules. */
export const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** An update rule on the new and old spec; no causes when either object has none. */
export function specUpdate(
  rule: (next: Obj, old: Obj) => StatusCause[],
): (next: KubeObject, old: KubeObject) => StatusCause[] {
  return (next, old) => {
    const ns = next.spec as Obj | undefined;
    const os = old.spec as Obj | undefined;
    return ns && os ? rule(ns, os) : [];
  };
}
