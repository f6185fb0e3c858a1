// Small helpers with no runtime dependency on @kubernetes/client-node (types only), so that lab
// validation and the CLI's light commands load fast.
import type { V1Pod } from '@kubernetes/client-node';
import { ClusterError } from '../errors.ts';

/** Rejects as soon as `signal` aborts, whatever `p` does. */
export function raceSignal<T>(p: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return p;
  if (signal.aborted)
    return Promise.reject(
      new ClusterError('timeout', `${what}: the check's deadline passed or the run was cancelled`),
    );
  return new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      reject(new ClusterError('timeout', `${what}: the check's deadline passed or the run was cancelled`));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Sleeps `ms`, or rejects early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return raceSignal(new Promise<void>((r) => setTimeout(r, ms).unref?.()), signal, 'waiting');
}

/** Plain JSON of a client model (dates as strings), as the API server sent it. */
export function toPlain(obj: unknown): unknown {
  return obj === undefined ? undefined : (JSON.parse(JSON.stringify(obj)) as unknown);
}

/** A Pod is Ready when its Ready condition is True and it is not being deleted. */
export function isPodReady(pod: V1Pod | undefined): boolean {
  if (!pod || pod.metadata?.deletionTimestamp) return false;
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}
