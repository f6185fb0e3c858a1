// The defaulting the kinds share (pod specs, in pods and pod templates), as the API server's
// registry does it; each kind's own defaults are in kinds/<kind>.ts. Only missing fields are
// filled, so a client-side `kubectl apply` of an unchanged manifest computes an empty patch, as
// against a real cluster.

import { isObj, type Obj } from './object.ts';

/** Set o[key] when it is missing. */
export function setDefault(o: Obj, key: string, value: unknown): void {
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
      if (isObj(e) && isObj(e.valueFrom) && isObj(e.valueFrom.fieldRef))
        setDefault(e.valueFrom.fieldRef, 'apiVersion', 'v1');
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
