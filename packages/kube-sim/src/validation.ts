// Validation of the kinds kube-sim serves, with the field paths and messages of the real API
// server (k8s.io/kubernetes/pkg/apis/*/validation), for the mistakes students actually make.

import { cause, type StatusCause } from './errors.ts';
import { isQuantity } from './quantity.ts';
import type { KubeObject } from './runtime-contract.ts';
import { selectorFromObject, matchesLabels } from './selectors.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const MSG_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const MSG_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const MSG_1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_SOURCES = [
  'nfs', 'hostPath', 'local', 'csi', 'iscsi', 'fc', 'rbd', 'cephfs', 'glusterfs', 'awsElasticBlockStore',
  'gcePersistentDisk', 'azureDisk', 'azureFile', 'cinder', 'flexVolume', 'flocker', 'photonPersistentDisk',
  'portworxVolume', 'quobyte', 'scaleIO', 'storageos', 'vsphereVolume',
];

function checkName(kind: string, name: string, out: StatusCause[]): void {
  if (!name) {
    out.push(cause.required('metadata.name', 'name or generateName is required'));
    return;
  }
  if (kind === 'Namespace') {
    if (!DNS1123_LABEL.test(name) || name.length > 63) out.push(cause.invalid('metadata.name', name, MSG_LABEL));
  } else if (kind === 'Service') {
    if (!DNS1035_LABEL.test(name) || name.length > 63) out.push(cause.invalid('metadata.name', name, MSG_1035));
  } else if (kind === 'StatefulSet' || kind === 'Pod') {
    if (!DNS1123_SUBDOMAIN.test(name) || name.length > 253) out.push(cause.invalid('metadata.name', name, MSG_SUBDOMAIN));
    if (kind === 'StatefulSet' && DNS1123_SUBDOMAIN.test(name) && !DNS1123_LABEL.test(name)) {
      out.push(cause.invalid('metadata.name', name, MSG_LABEL));
    }
  } else if (kind !== 'Event') {
    if (!DNS1123_SUBDOMAIN.test(name) || name.length > 253) out.push(cause.invalid('metadata.name', name, MSG_SUBDOMAIN));
  }
}

function checkLabels(path: string, labels: unknown, out: StatusCause[]): void {
  if (!isObj(labels)) return;
  for (const [k, v] of Object.entries(labels)) {
    if (typeof v !== 'string' || (v !== '' && !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(v)) || v.length > 63) {
      out.push(
        cause.invalid(
          path,
          v,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
      );
    }
    if (!/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(k)) {
      out.push(cause.invalid(path, k, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
    }
  }
}

function checkAccessModes(path: string, modes: unknown, out: StatusCause[], requiredDetail: string): void {
  if (!Array.isArray(modes) || modes.length === 0) {
    out.push(cause.required(path, requiredDetail));
    return;
  }
  for (const m of modes) if (!ACCESS_MODES.includes(String(m))) out.push(cause.unsupported(path, m, ACCESS_MODES));
}

function checkPodSpec(path: string, spec: unknown, out: StatusCause[]): void {
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
          if (m.name && !volumeNames.has(String(m.name))) out.push({ reason: 'FieldValueNotFound', message: `Not found: ${JSON.stringify(m.name)}`, field: `${p}.volumeMounts[${j}].name` });
        });
      }
    });
  }
}

/** Validate an object about to be created (or the new state of an update). */
export function validateObject(kind: string, obj: KubeObject, extraVolumeNames: string[] = []): StatusCause[] {
  const out: StatusCause[] = [];
  checkName(kind, obj.metadata.name, out);
  checkLabels('metadata.labels', obj.metadata.labels, out);
  const spec = obj.spec as Obj | undefined;
  switch (kind) {
    case 'PersistentVolume': {
      if (!spec) {
        out.push(cause.required('spec.capacity'), cause.required('spec.accessModes'));
        break;
      }
      const cap = isObj(spec.capacity) ? spec.capacity : undefined;
      if (!cap || cap.storage === undefined) out.push(cause.required('spec.capacity'));
      else if (!isQuantity(cap.storage)) out.push(cause.invalid('spec.capacity[storage]', cap.storage, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
      checkAccessModes('spec.accessModes', spec.accessModes, out, '');
      const sources = VOLUME_SOURCES.filter((s) => spec[s] !== undefined);
      if (sources.length === 0) out.push(cause.required('spec', 'must specify a volume type'));
      if (sources.length > 1) out.push(cause.forbidden(`spec.${sources[1]}`, 'may not specify more than 1 volume type'));
      if (isObj(spec.nfs)) {
        if (!spec.nfs.server) out.push(cause.required('spec.nfs.server'));
        if (!spec.nfs.path) out.push(cause.required('spec.nfs.path'));
        else if (!String(spec.nfs.path).startsWith('/')) out.push(cause.invalid('spec.nfs.path', spec.nfs.path, 'must be an absolute path'));
      }
      const policy = spec.persistentVolumeReclaimPolicy;
      if (policy !== undefined && !['Delete', 'Recycle', 'Retain'].includes(String(policy))) {
        out.push(cause.unsupported('spec.persistentVolumeReclaimPolicy', policy, ['Delete', 'Recycle', 'Retain']));
      }
      if (isObj(spec.claimRef)) {
        if (!spec.claimRef.name) out.push(cause.required('spec.claimRef.name'));
        if (!spec.claimRef.namespace) out.push(cause.required('spec.claimRef.namespace'));
      }
      break;
    }
    case 'PersistentVolumeClaim': {
      if (!spec) {
        out.push(cause.required('spec.accessModes', 'at least 1 access mode is required'), cause.required('spec.resources[storage]'));
        break;
      }
      checkAccessModes('spec.accessModes', spec.accessModes, out, 'at least 1 access mode is required');
      const req = isObj(spec.resources) && isObj(spec.resources.requests) ? spec.resources.requests.storage : undefined;
      if (req === undefined) out.push(cause.required('spec.resources[storage]'));
      else if (!isQuantity(req)) out.push(cause.invalid('spec.resources[storage]', req, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
      break;
    }
    case 'Pod':
      checkPodSpec('spec', spec, out);
      break;
    case 'StatefulSet': {
      if (!spec) {
        out.push(cause.required('spec.selector'));
        break;
      }
      if (!isObj(spec.selector)) out.push(cause.required('spec.selector'));
      const template = isObj(spec.template) ? spec.template : undefined;
      const tlabels = template && isObj(template.metadata) ? (template.metadata.labels as Record<string, string> | undefined) : undefined;
      if (isObj(spec.selector)) {
        const sel = selectorFromObject(spec.selector);
        if (sel.requirements.length === 0) out.push(cause.invalid('spec.selector', spec.selector, 'empty selector is invalid for statefulset'));
        else if (!matchesLabels(sel, tlabels)) {
          out.push(cause.invalid('spec.template.metadata.labels', tlabels ?? {}, '`selector` does not match template `labels`'));
        }
      }
      const replicas = spec.replicas;
      if (replicas !== undefined && (typeof replicas !== 'number' || replicas < 0 || !Number.isInteger(replicas))) {
        out.push(cause.invalid('spec.replicas', replicas, 'must be greater than or equal to 0'));
      }
      const restart = template && isObj(template.spec) ? template.spec.restartPolicy : undefined;
      if (restart !== undefined && restart !== 'Always') out.push(cause.unsupported('spec.template.spec.restartPolicy', restart, ['Always']));
      if (template) {
        const tspec = template.spec;
        const withClaims = isObj(tspec) ? { ...tspec, volumes: [...((tspec.volumes as unknown[]) ?? []), ...extraVolumeNames.map((n) => ({ name: n }))] } : tspec;
        checkPodSpec('spec.template.spec', withClaims, out);
      } else out.push(cause.required('spec.template.spec.containers'));
      if (Array.isArray(spec.volumeClaimTemplates)) {
        spec.volumeClaimTemplates.forEach((vct, i) => {
          const p = `spec.volumeClaimTemplates[${i}]`;
          if (!isObj(vct)) return;
          const vspec = isObj(vct.spec) ? vct.spec : {};
          checkAccessModes(`${p}.spec.accessModes`, vspec.accessModes, out, 'at least 1 access mode is required');
          const req = isObj(vspec.resources) && isObj(vspec.resources.requests) ? vspec.resources.requests.storage : undefined;
          if (req === undefined) out.push(cause.required(`${p}.spec.resources[storage]`));
        });
      }
      break;
    }
    case 'Service': {
      const headless = spec?.clusterIP === 'None';
      const ports = spec?.ports;
      if (!headless && (!Array.isArray(ports) || ports.length === 0) && spec?.type !== 'ExternalName') out.push(cause.required('spec.ports'));
      if (Array.isArray(ports)) {
        ports.forEach((p, i) => {
          if (!isObj(p)) return;
          const port = p.port;
          if (typeof port !== 'number' || port < 1 || port > 65535) out.push(cause.invalid(`spec.ports[${i}].port`, port ?? 0, 'must be between 1 and 65535, inclusive'));
          if (ports.length > 1 && !p.name) out.push(cause.required(`spec.ports[${i}].name`));
        });
      }
      const type = spec?.type;
      if (type !== undefined && !['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(String(type))) {
        out.push(cause.unsupported('spec.type', type, ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']));
      }
      break;
    }
    case 'StorageClass': {
      if (!obj.provisioner) out.push(cause.required('provisioner'));
      const mode = obj.volumeBindingMode;
      if (mode !== undefined && !['Immediate', 'WaitForFirstConsumer'].includes(String(mode))) {
        out.push(cause.unsupported('volumeBindingMode', mode, ['Immediate', 'WaitForFirstConsumer']));
      }
      break;
    }
    default:
      break;
  }
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Update-only rules: immutable fields as the real validation enforces them. */
export function validateUpdate(kind: string, next: KubeObject, old: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const ns = next.spec as Obj | undefined;
  const os = old.spec as Obj | undefined;
  switch (kind) {
    case 'PersistentVolumeClaim': {
      if (!ns || !os) break;
      const strip = (s: Obj) => {
        const c: Obj = { ...s };
        delete c.volumeAttributesClassName;
        if (isObj(c.resources)) c.resources = { ...c.resources, requests: undefined };
        // Binding may set volumeName once, and the default class may fill storageClassName once.
        if (!os.volumeName) delete c.volumeName;
        if (os.storageClassName === undefined) delete c.storageClassName;
        return c;
      };
      if (!same(strip(ns), strip(os))) {
        out.push(cause.forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
      }
      break;
    }
    case 'PersistentVolume': {
      if (!ns || !os) break;
      for (const src of VOLUME_SOURCES) {
        if (!same(ns[src], os[src])) {
          out.push(cause.forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
          break;
        }
      }
      break;
    }
    case 'StatefulSet': {
      if (!ns || !os) break;
      const allowed = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];
      const strip = (s: Obj) => Object.fromEntries(Object.entries(s).filter(([k]) => !allowed.includes(k)));
      if (!same(strip(ns), strip(os))) {
        out.push(
          cause.forbidden(
            'spec',
            "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
          ),
        );
      }
      break;
    }
    case 'Pod': {
      if (!ns || !os) break;
      const strip = (s: Obj) => {
        const c = structuredClone(s);
        delete c.activeDeadlineSeconds;
        delete c.tolerations;
        delete c.nodeName;
        if (Array.isArray(c.containers)) for (const x of c.containers as Obj[]) delete x.image;
        if (Array.isArray(c.initContainers)) for (const x of c.initContainers as Obj[]) delete x.image;
        return c;
      };
      if (!same(strip(ns), strip(os))) {
        out.push(
          cause.forbidden(
            'spec',
            'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
          ),
        );
      }
      break;
    }
    case 'Service': {
      if (!ns || !os) break;
      if (os.clusterIP && ns.clusterIP !== undefined && ns.clusterIP !== os.clusterIP) {
        out.push(cause.invalid('spec.clusterIPs[0]', ns.clusterIP, 'may not change once set'));
      }
      break;
    }
    case 'StorageClass': {
      for (const f of ['parameters', 'provisioner', 'reclaimPolicy', 'volumeBindingMode']) {
        if (!same(next[f], old[f])) out.push(cause.forbidden(f, 'updates to ' + f + ' are forbidden.'));
      }
      break;
    }
    default:
      break;
  }
  return out;
}
