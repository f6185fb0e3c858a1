// Typed views of the parts of a Pod the runtime reads. The core stores objects as plain JSON, so
// these are narrowing helpers, not a schema: anything absent reads as undefined.
import type { KubeObject } from '../runtime-contract.ts';

/** A container probe, as far as the runtime evaluates it. */
export type Probe = {
  exec?: { command?: string[] };
  tcpSocket?: { port?: number | string };
  httpGet?: { port?: number | string; path?: string };
  timeoutSeconds?: number;
};

/** The container fields the runtime needs. */
export type Container = {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  ports?: { containerPort?: number; name?: string }[];
  readinessProbe?: Probe;
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
};

/** A pod volume source, as far as the runtime maps it to a directory. */
export type Volume = {
  name: string;
  persistentVolumeClaim?: { claimName?: string };
  emptyDir?: Record<string, unknown>;
  hostPath?: { path?: string };
  nfs?: { server?: string; path?: string };
  [k: string]: unknown;
};

/** The pod spec fields the runtime needs. */
export type PodSpec = {
  containers?: Container[];
  volumes?: Volume[];
  hostname?: string;
  subdomain?: string;
  hostAliases?: { ip: string; hostnames?: string[] }[];
};

/** The pod's spec, typed for the runtime. */
export function podSpec(pod: KubeObject): PodSpec {
  return (pod.spec ?? {}) as PodSpec;
}

/** The containers of a pod (never undefined). */
export function podContainers(pod: KubeObject): Container[] {
  return podSpec(pod).containers ?? [];
}

/** The pod's IP as the core assigned it, if any. */
export function podIP(pod: KubeObject): string | undefined {
  const status = (pod.status ?? {}) as { podIP?: string; podIPs?: { ip?: string }[] };
  return status.podIP ?? status.podIPs?.[0]?.ip;
}

/** The pod's hostname as the kubelet sets it: spec.hostname, else the pod name (max 63 chars). */
export function podHostname(pod: KubeObject): string {
  const h = podSpec(pod).hostname;
  return h && h.length > 0 ? h : pod.metadata.name.slice(0, 63);
}

/** True when the pod has a Ready=True condition. */
export function podIsReady(pod: KubeObject): boolean {
  const conds =
    ((pod.status ?? {}) as { conditions?: { type?: string; status?: string }[] }).conditions ?? [];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Does a Service/StatefulSet style label selector (matchLabels map) select these labels? */
export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}
