// Server-side printing: the meta.k8s.io/v1 Table kubectl asks for (`Accept: ...;as=Table`), with
// the columns and cell formats of the real printers (pkg/printers/internalversion/printers.go).

import type { KubeObject } from './runtime-contract.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One column definition. */
export interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

const col = (name: string, opts: { type?: string; format?: string; priority?: number; description?: string } = {}): Column => ({
  name,
  type: opts.type ?? 'string',
  format: opts.format ?? '',
  description: opts.description ?? name,
  priority: opts.priority ?? 0,
});
const NAME = col('Name', { format: 'name', description: 'Name must be unique within a namespace.' });
const AGE = col('Age', { description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' });

/** Go's duration.HumanDuration, as kubectl's AGE column shows it. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

function age(ts: unknown): string {
  if (typeof ts !== 'string' || !ts) return '<unknown>';
  return humanDuration(Date.now() - Date.parse(ts));
}

/** "RWO,RWX" in the fixed order of GetAccessModesAsString. */
export function accessModesString(modes: unknown): string {
  const list = Array.isArray(modes) ? modes.map(String) : [];
  const out: string[] = [];
  if (list.includes('ReadWriteOnce')) out.push('RWO');
  if (list.includes('ReadOnlyMany')) out.push('ROX');
  if (list.includes('ReadWriteMany')) out.push('RWX');
  if (list.includes('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

function storageClassOf(obj: KubeObject): string {
  const spec = (obj.spec ?? {}) as Obj;
  if (typeof spec.storageClassName === 'string') return spec.storageClassName;
  return obj.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

function podRow(pod: KubeObject): unknown[] {
  const spec = (pod.spec ?? {}) as Obj;
  const status = (pod.status ?? {}) as Obj;
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  const statuses = (Array.isArray(status.containerStatuses) ? status.containerStatuses : []) as Obj[];
  let reason = typeof status.reason === 'string' && status.reason ? status.reason : String(status.phase ?? '');
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
    else if (terminated) reason = terminated.signal ? `Signal:${String(terminated.signal)}` : `ExitCode:${String(terminated.exitCode)}`;
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
    Array.isArray(spec.readinessGates) && spec.readinessGates.length ? `0/${spec.readinessGates.length}` : '<none>',
  ];
}

function endpointsString(subsets: unknown): string {
  const list: string[] = [];
  let count = 0;
  for (const s of Array.isArray(subsets) ? (subsets as Obj[]) : []) {
    const addrs = Array.isArray(s.addresses) ? (s.addresses as Obj[]) : [];
    const ports = Array.isArray(s.ports) ? (s.ports as Obj[]) : [];
    for (const a of addrs) {
      if (ports.length === 0) {
        count++;
        if (list.length < 3) list.push(String(a.ip));
      }
      for (const p of ports) {
        count++;
        if (list.length < 3) list.push(`${String(a.ip)}:${String(p.port)}`);
      }
    }
  }
  if (count === 0) return '<none>';
  return list.join(',') + (count > 3 ? ` + ${count - 3} more...` : '');
}

function serviceRow(svc: KubeObject): unknown[] {
  const spec = (svc.spec ?? {}) as Obj;
  const type = String(spec.type ?? 'ClusterIP');
  const ports = (Array.isArray(spec.ports) ? spec.ports : []) as Obj[];
  const portStr = ports.length
    ? ports.map((p) => (p.nodePort ? `${String(p.port)}:${String(p.nodePort)}/${String(p.protocol ?? 'TCP')}` : `${String(p.port)}/${String(p.protocol ?? 'TCP')}`)).join(',')
    : '<none>';
  const externalIPs = Array.isArray(spec.externalIPs) ? (spec.externalIPs as string[]) : [];
  let external = '<none>';
  if (type === 'ExternalName') external = String(spec.externalName ?? '');
  else if (externalIPs.length) external = externalIPs.join(',');
  else if (type === 'LoadBalancer') external = '<pending>';
  const selector = isObj(spec.selector) ? Object.entries(spec.selector).map(([k, v]) => `${k}=${String(v)}`).sort().join(',') : '';
  return [svc.metadata.name, type, spec.clusterIP ? String(spec.clusterIP) : '<none>', external, portStr, age(svc.metadata.creationTimestamp), selector || '<none>'];
}

interface Printer {
  columns: Column[];
  row: (o: KubeObject) => unknown[];
}

const PRINTERS: Record<string, Printer> = {
  Pod: {
    columns: [
      NAME,
      col('Ready', { description: 'The aggregate readiness state of this pod for accepting traffic.' }),
      col('Status', { description: 'The aggregate status of the containers in this pod.' }),
      col('Restarts', { description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.' }),
      AGE,
      col('IP', { priority: 1, description: 'podIP address allocated to the pod.' }),
      col('Node', { priority: 1, description: 'NodeName is a request to schedule this pod onto a specific node.' }),
      col('Nominated Node', { priority: 1 }),
      col('Readiness Gates', { priority: 1 }),
    ],
    row: podRow,
  },
  PersistentVolume: {
    columns: [NAME, col('Capacity'), col('Access Modes'), col('Reclaim Policy'), col('Status'), col('Claim'), col('StorageClass'), col('VolumeAttributesClass'), col('Reason'), AGE, col('VolumeMode', { priority: 1 })],
    row: (pv) => {
      const spec = (pv.spec ?? {}) as Obj;
      const status = (pv.status ?? {}) as Obj;
      const claimRef = isObj(spec.claimRef) ? spec.claimRef : undefined;
      return [
        pv.metadata.name,
        isObj(spec.capacity) ? String(spec.capacity.storage ?? '') : '',
        accessModesString(spec.accessModes),
        String(spec.persistentVolumeReclaimPolicy ?? ''),
        pv.metadata.deletionTimestamp ? 'Terminating' : String(status.phase ?? ''),
        claimRef ? `${String(claimRef.namespace ?? '')}/${String(claimRef.name ?? '')}` : '',
        storageClassOf(pv),
        spec.volumeAttributesClassName ? String(spec.volumeAttributesClassName) : '<unset>',
        String(status.reason ?? ''),
        age(pv.metadata.creationTimestamp),
        spec.volumeMode ? String(spec.volumeMode) : '<unset>',
      ];
    },
  },
  PersistentVolumeClaim: {
    columns: [NAME, col('Status'), col('Volume'), col('Capacity'), col('Access Modes'), col('StorageClass'), col('VolumeAttributesClass'), AGE, col('VolumeMode', { priority: 1 })],
    row: (pvc) => {
      const spec = (pvc.spec ?? {}) as Obj;
      const status = (pvc.status ?? {}) as Obj;
      const bound = Boolean(spec.volumeName);
      return [
        pvc.metadata.name,
        pvc.metadata.deletionTimestamp ? 'Terminating' : String(status.phase ?? ''),
        String(spec.volumeName ?? ''),
        bound && isObj(status.capacity) ? String(status.capacity.storage ?? '') : '',
        bound ? accessModesString(status.accessModes) : '',
        storageClassOf(pvc),
        status.currentVolumeAttributesClassName ? String(status.currentVolumeAttributesClassName) : '<unset>',
        age(pvc.metadata.creationTimestamp),
        spec.volumeMode ? String(spec.volumeMode) : '<unset>',
      ];
    },
  },
  StatefulSet: {
    columns: [NAME, col('Ready', { description: 'Number of the pod with ready state' }), AGE, col('Containers', { priority: 1 }), col('Images', { priority: 1 })],
    row: (sts) => {
      const spec = (sts.spec ?? {}) as Obj;
      const status = (sts.status ?? {}) as Obj;
      const tspec = isObj(spec.template) && isObj(spec.template.spec) ? spec.template.spec : {};
      const containers = (Array.isArray(tspec.containers) ? tspec.containers : []) as Obj[];
      return [
        sts.metadata.name,
        `${Number(status.readyReplicas ?? 0)}/${Number(spec.replicas ?? 1)}`,
        age(sts.metadata.creationTimestamp),
        containers.map((c) => String(c.name)).join(','),
        containers.map((c) => String(c.image)).join(','),
      ];
    },
  },
  Service: {
    columns: [NAME, col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), AGE, col('Selector', { priority: 1 })],
    row: serviceRow,
  },
  Endpoints: {
    columns: [NAME, col('Endpoints'), AGE],
    row: (ep) => [ep.metadata.name, endpointsString(ep.subsets), age(ep.metadata.creationTimestamp)],
  },
  EndpointSlice: {
    columns: [NAME, col('AddressType'), col('Ports'), col('Endpoints'), AGE],
    row: (es) => {
      const ports = (Array.isArray(es.ports) ? es.ports : []) as Obj[];
      const eps = (Array.isArray(es.endpoints) ? es.endpoints : []) as Obj[];
      const addrs = eps.flatMap((e) => (Array.isArray(e.addresses) ? (e.addresses as string[]) : []));
      return [
        es.metadata.name,
        String(es.addressType ?? ''),
        ports.length ? ports.map((p) => String(p.port ?? '')).join(',') : '<unset>',
        addrs.length ? addrs.slice(0, 3).join(',') + (addrs.length > 3 ? ` + ${addrs.length - 3} more...` : '') : '<unset>',
        age(es.metadata.creationTimestamp),
      ];
    },
  },
  Node: {
    columns: [NAME, col('Status'), col('Roles'), AGE, col('Version'), col('Internal-IP', { priority: 1 }), col('External-IP', { priority: 1 }), col('OS-Image', { priority: 1 }), col('Kernel-Version', { priority: 1 }), col('Container-Runtime', { priority: 1 })],
    row: (node) => {
      const st = (node.status ?? {}) as Obj;
      const ready = ((st.conditions ?? []) as Obj[]).find((c) => c.type === 'Ready');
      const info = (st.nodeInfo ?? {}) as Obj;
      const addr = (t: string) => ((st.addresses ?? []) as Obj[]).find((a) => a.type === t)?.address;
      const roles = Object.keys(node.metadata.labels ?? {})
        .filter((l) => l.startsWith('node-role.kubernetes.io/'))
        .map((l) => l.slice('node-role.kubernetes.io/'.length));
      return [
        node.metadata.name,
        ready?.status === 'True' ? 'Ready' : 'NotReady',
        roles.length ? roles.join(',') : '<none>',
        age(node.metadata.creationTimestamp),
        String(info.kubeletVersion ?? ''),
        String(addr('InternalIP') ?? '<none>'),
        String(addr('ExternalIP') ?? '<none>'),
        String(info.osImage ?? ''),
        String(info.kernelVersion ?? ''),
        String(info.containerRuntimeVersion ?? ''),
      ];
    },
  },
  Namespace: {
    columns: [NAME, col('Status', { description: 'The status of the namespace' }), AGE],
    row: (ns) => [ns.metadata.name, String((ns.status as Obj | undefined)?.phase ?? ''), age(ns.metadata.creationTimestamp)],
  },
  StorageClass: {
    columns: [NAME, col('Provisioner'), col('ReclaimPolicy'), col('VolumeBindingMode'), col('AllowVolumeExpansion'), AGE],
    row: (sc) => [
      sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true' ? `${sc.metadata.name} (default)` : sc.metadata.name,
      String(sc.provisioner ?? ''),
      String(sc.reclaimPolicy ?? 'Delete'),
      String(sc.volumeBindingMode ?? 'Immediate'),
      String(sc.allowVolumeExpansion ?? false),
      age(sc.metadata.creationTimestamp),
    ],
  },
  Event: {
    columns: [
      col('Last Seen'),
      col('Type'),
      col('Reason'),
      col('Object'),
      col('Subobject', { priority: 1 }),
      col('Source', { priority: 1 }),
      col('Message'),
      col('First Seen', { priority: 1 }),
      col('Count', { priority: 1 }),
      col('Name', { priority: 1, format: 'name' }),
    ],
    row: (ev) => {
      const io = (ev.involvedObject ?? {}) as Obj;
      const src = (ev.source ?? {}) as Obj;
      const last = (ev.lastTimestamp as string | undefined) ?? (ev.eventTime as string | undefined) ?? ev.metadata.creationTimestamp;
      const first = (ev.firstTimestamp as string | undefined) ?? (ev.eventTime as string | undefined) ?? ev.metadata.creationTimestamp;
      return [
        age(last),
        String(ev.type ?? ''),
        String(ev.reason ?? ''),
        `${String(io.kind ?? '').toLowerCase()}/${String(io.name ?? '')}`,
        String(io.fieldPath ?? ''),
        [src.component, src.host].filter(Boolean).join(', '),
        String(ev.message ?? ''),
        age(first),
        String(ev.count ?? 1),
        ev.metadata.name,
      ];
    },
  },
};

const DEFAULT_PRINTER: Printer = { columns: [NAME, AGE], row: (o) => [o.metadata.name, age(o.metadata.creationTimestamp)] };

/** Build a Table for objects of a kind; includeObject is None, Metadata (default) or Object. */
export function toTable(kind: string, objects: KubeObject[], resourceVersion: string, includeObject: string | undefined, extraMeta: Obj = {}): Obj {
  const printer = PRINTERS[kind] ?? DEFAULT_PRINTER;
  const mode = includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion, ...extraMeta },
    columnDefinitions: printer.columns,
    rows: objects.map((o) => ({
      cells: printer.row(o),
      object:
        mode === 'None'
          ? undefined
          : mode === 'Object'
            ? o
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
