// Faults a test switches on to see how clients cope: API latency, failing verbs, dropped watches,
// pods that never become Ready, slow StatefulSet re-creation, failing execs, images that cannot be pulled.

import { ApiError } from './errors.ts';

/** One injected API failure. */
export interface FailRule {
  /** get, list, watch, create, update, patch, delete, deletecollection; any when omitted. */
  verb?: string;
  /** Plural resource name ("pods"), or "pods/exec" for a subresource; any when omitted. */
  resource?: string;
  namespace?: string;
  status: 500 | 429 | 403;
  /** Fail this many matching requests, then stop; forever when omitted. */
  times?: number;
}

/** Every fault kube-sim can inject. */
export interface FaultSettings {
  latencyMs?: number;
  fail?: FailRule[];
  dropWatchAfterMs?: number;
  podNeverReady?: { namespace: string; name: string }[];
  recreateDelayMs?: number;
  execFails?: { namespace?: string; pod?: string; status?: 500 }[];
  /** Exec speaks v4 at most, as before Kubernetes 1.30: a client cannot close a command's stdin. */
  execWithoutV5?: boolean;
  /** Pods (by namespace and name) whose images cannot be pulled: they wait in ImagePullBackOff. */
  imagePullFails?: { namespace: string; name: string }[];
}

/** The live fault settings of one kube-sim. */
export class Faults {
  private settings: FaultSettings = {};
  private readonly remaining = new Map<FailRule, number>();
  private readonly listeners = new Set<() => void>();

  /** Switch faults on; keys given replace the previous value of the same key. */
  set(next: FaultSettings): void {
    this.settings = { ...this.settings, ...next };
    if (next.fail) {
      this.remaining.clear();
      for (const rule of next.fail) if (rule.times !== undefined) this.remaining.set(rule, rule.times);
    }
    for (const l of this.listeners) l();
  }

  /** Switch every fault off. */
  clear(): void {
    this.settings = {};
    this.remaining.clear();
    for (const l of this.listeners) l();
  }

  /** The current settings (read-only view). */
  get current(): Readonly<FaultSettings> {
    return this.settings;
  }

  /** Be told when faults change (the pod controller re-probes pods that were held unready). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The failure to inject for this request, if any (consumes one of `times`). */
  takeFailure(verb: string, resource: string, namespace: string | undefined): FailRule | undefined {
    for (const rule of this.settings.fail ?? []) {
      if (rule.verb && rule.verb !== verb) continue;
      if (rule.resource && rule.resource !== resource) continue;
      if (rule.namespace && rule.namespace !== namespace) continue;
      if (rule.times !== undefined) {
        const left = this.remaining.get(rule) ?? 0;
        if (left <= 0) continue;
        this.remaining.set(rule, left - 1);
      }
      return rule;
    }
    return undefined;
  }

  /** True when the pod is held unready by a fault. */
  isPodNeverReady(namespace: string, name: string): boolean {
    return (this.settings.podNeverReady ?? []).some((p) => p.namespace === namespace && p.name === name);
  }

  /** True when the pod's images cannot be pulled (a registry outage). */
  isImagePullFailing(namespace: string, name: string): boolean {
    return (this.settings.imagePullFails ?? []).some((p) => p.namespace === namespace && p.name === name);
  }

  /** The exec failure for this pod, if one is switched on. */
  execFailure(namespace: string, pod: string): { status: 500 } | undefined {
    const rule = (this.settings.execFails ?? []).find(
      (r) => (!r.namespace || r.namespace === namespace) && (!r.pod || r.pod === pod),
    );
    return rule ? { status: rule.status ?? 500 } : undefined;
  }
}

/** The Status error of an injected failure (faults.fail): 403 as RBAC words it, 429 with retryAfter, else 500. */
export function injectedFailure(
  status: number,
  verb: string,
  resource: string,
  namespace: string | undefined,
  name: string | undefined,
): ApiError {
  if (status === 403) {
    return new ApiError(
      403,
      'Forbidden',
      `${resource} ${name ? `"${name}" ` : ''}is forbidden: User "system:serviceaccount:kubegrade:grader" cannot ${verb} resource "${resource}" in API group ""${namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope'}`,
      { ...(name ? { name } : {}), kind: resource },
    );
  }
  if (status === 429) {
    return new ApiError(
      429,
      'TooManyRequests',
      'The server has received too many requests and has asked us to try again later',
      { retryAfterSeconds: 1 },
    );
  }
  return new ApiError(500, 'InternalError', 'Internal error occurred: injected fault (kube-sim faults.fail)');
}
