// Defaulting as the API server's registry does it for the kinds kube-sim serves. Only missing
// fields are filled, so a client-side `kubectl apply` of an unchanged manifest computes an empty
// patch, as against a real cluster.

import type { KubeObject } from './runtime-contract.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function setDefault(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined) o[key] = value;
}

function probeDefaults(p: unknown): void {
  if (!isObj(p)) return;
  setDefault(p, 'timeoutSeconds', 1);
  setDefault(p, 'periodSeconds', 10);
  setDefault(p, 'successThreshold', 1);
  setDefault(p, 'failureThreshold', 3);
  if (isObj(p.httpGet)) setDefault(p.httpGet, 'scheme', 'HTTP');
  if (isObj(p.httpGet)) setDefault(p.httpGet, 'path', '/');
}

function containerDefaults(c: unknown): void {
  if (!isObj(c)) return;
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  const image = typeof c.image === 'string' ? c.image : '';
  const lastSegment = image.split('/').pop() ?? '';
  const hasTag = lastSegment.includes(':') || image.includes('@');
  setDefault(c, 'imagePullPolicy', !hasTag || image.endsWith(':latest') ? 'Always' : 'IfNotPresent');
  setDefault(c, 'resources', {});
  if (Array.isArray(c.ports)) for (const p of c.ports) if (isObj(p)) setDefault(p, 'protocol', 'TCP');
  if (Array.isArray(c.env)) {
    for (const e of c.env) {
      if (isObj(e) && isObj(e.valueFrom) && isObj(e.valueFrom.fieldRef)) setDefault(e.valueFrom.fieldRef, 'apiVersion', 'v1');
    }
  }
  probeDefaults(c.readinessProbe);
  probeDefaults(c.livenessProbe);
  probeDefaults(c.startupProbe);
}

/** Defaults of a PodSpec (pods and pod templates). */
export function podSpecDefaults(spec: unknown): void {
  if (!isObj(spec)) return;
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
  for (const list of ['containers', 'initContainers']) {
    if (Array.isArray(spec[list])) for (const c of spec[list] as unknown[]) containerDefaults(c);
  }
  if (Array.isArray(spec.volumes)) {
    for (const v of spec.volumes) {
      if (!isObj(v)) continue;
      if (isObj(v.configMap)) setDefault(v.configMap, 'defaultMode', 420);
      if (isObj(v.secret)) setDefault(v.secret, 'defaultMode', 420);
      if (isObj(v.hostPath)) setDefault(v.hostPath, 'type', '');
    }
  }
}

/** Fill defaults for a new or updated object of the given kind (in place). */
export function applyDefaults(kind: string, obj: KubeObject): void {
  const spec = obj.spec as Obj | undefined;
  switch (kind) {
    case 'Pod': {
      if (!spec) return;
      podSpecDefaults(spec);
      setDefault(spec, 'serviceAccountName', 'default');
      setDefault(spec, 'serviceAccount', spec.serviceAccountName);
      setDefault(spec, 'enableServiceLinks', true);
      setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
      setDefault(spec, 'priority', 0);
      setDefault(spec, 'tolerations', [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ]);
      return;
    }
    case 'StatefulSet': {
      if (!spec) return;
      setDefault(spec, 'replicas', 1);
      setDefault(spec, 'podManagementPolicy', 'OrderedReady');
      setDefault(spec, 'updateStrategy', { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Retain', whenScaled: 'Retain' });
      if (isObj(spec.template)) {
        const t = spec.template;
        setDefault(t, 'metadata', {});
        podSpecDefaults(t.spec);
      }
      if (Array.isArray(spec.volumeClaimTemplates)) {
        for (const vct of spec.volumeClaimTemplates) {
          if (!isObj(vct)) continue;
          setDefault(vct, 'apiVersion', 'v1');
          setDefault(vct, 'kind', 'PersistentVolumeClaim');
          if (isObj(vct.spec)) setDefault(vct.spec, 'volumeMode', 'Filesystem');
          setDefault(vct, 'status', { phase: 'Pending' });
        }
      }
      return;
    }
    case 'PersistentVolume':
      if (!spec) return;
      setDefault(spec, 'persistentVolumeReclaimPolicy', 'Retain');
      setDefault(spec, 'volumeMode', 'Filesystem');
      return;
    case 'PersistentVolumeClaim':
      if (!spec) return;
      setDefault(spec, 'volumeMode', 'Filesystem');
      return;
    case 'Service': {
      if (!spec) return;
      setDefault(spec, 'type', 'ClusterIP');
      setDefault(spec, 'sessionAffinity', 'None');
      setDefault(spec, 'internalTrafficPolicy', 'Cluster');
      setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
      setDefault(spec, 'ipFamilies', ['IPv4']);
      if (Array.isArray(spec.ports)) {
        for (const p of spec.ports) {
          if (!isObj(p)) continue;
          setDefault(p, 'protocol', 'TCP');
          setDefault(p, 'targetPort', p.port);
        }
      }
      return;
    }
    case 'StorageClass':
      setDefault(obj, 'reclaimPolicy', 'Delete');
      setDefault(obj, 'volumeBindingMode', 'Immediate');
      return;
    default:
      return;
  }
}
