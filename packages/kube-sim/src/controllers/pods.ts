// The scheduler and kubelet of the one simulated node: a pod waits (FailedScheduling) while a
// claim it uses is missing or unbound, is then bound to the node, started through the
// PodRuntime, gets an IP from the pod CIDR and turns Ready once the runtime's readiness probe
// agrees. Deletion stops the containers (SIGTERM, grace period) before the pod object goes.

import { specOf as spec, splitKey, statusOf as status, timestamp as ts, type Obj } from '../object.ts';
import { findResource } from '../resources.ts';
import type { KubeObject } from '../runtime-contract.ts';
import type { StoreEvent } from '../store.ts';
import type { Controller, ControllerContext } from './controller.ts';
import { WorkQueue } from './queue.ts';
import { claimClass, podClaims } from './volumes/shared.ts';

const PODS = findResource('pods')!;
const PVCS = findResource('persistentvolumeclaims')!;
const STORAGECLASSES = findResource('storageclasses')!;

/** The simulated node's name and address. */
export const NODE_NAME = 'kube-sim-node';
export const NODE_IP = '10.0.0.10';

const SCHEDULER = { component: 'default-scheduler' };
const KUBELET = { component: 'kubelet', host: NODE_NAME };

interface Running {
  uid: string;
  ip: string;
  readyAt: number;
  stopping?: Promise<void>;
  unreadyReported?: boolean;
}

/**
 * Pods synced at once. The kubelet gives every pod a worker of its own, so one pod's slow stop
 * (Redis saving on SIGTERM, a container using its whole grace period) or start never holds up
 * another pod; the bound only keeps a wipe of thousands of pods from forking thousands of processes
 * at the same moment.
 */
const POD_WORKERS = 64;

/** Scheduler + kubelet for every pod. */
export class PodController implements Controller {
  readonly queue: WorkQueue;
  /** uid -> what the kubelet started */
  private readonly running = new Map<string, Running>();
  /** uids being started */
  private readonly starting = new Set<string>();
  private readonly startFailures = new Map<string, number>();
  /** uid -> when a crash-looping container may be started again */
  private readonly retryAt = new Map<string, number>();
  /** claim key -> pods waiting for it */
  private readonly waiting = new Map<string, Set<string>>();
  private readonly lastUnschedulable = new Map<string, string>();
  private readonly usedIps = new Set<string>();
  /** IPs of pods whose containers never started (crash-looping) */
  private readonly crashIps = new Map<string, string>();
  private nextIp = 2;

  constructor(private readonly o: ControllerContext) {
    this.queue = new WorkQueue('pods', (k) => this.sync(k), o.onError, POD_WORKERS);
    o.faults.onChange(() => {
      for (const pod of this.o.api.store.list(PODS))
        this.queue.add(`${pod.metadata.namespace}/${pod.metadata.name}`);
    });
  }

  get queues() {
    return [this.queue];
  }

  /** React to a store change. */
  onEvent(ev: StoreEvent): void {
    if (ev.res === PODS) {
      const key = `${ev.object.metadata.namespace}/${ev.object.metadata.name}`;
      if (ev.type === 'DELETED') {
        this.forget(ev.object);
        return;
      }
      this.queue.add(key);
    } else if (ev.res === PVCS) {
      const k = `${ev.object.metadata.namespace}/${ev.object.metadata.name}`;
      for (const p of this.waiting.get(k) ?? []) this.queue.add(p);
    }
  }

  /** Forget everything (reset); processes are stopped by the caller. */
  clear(): void {
    this.queue.clear();
    this.running.clear();
    this.starting.clear();
    this.startFailures.clear();
    this.retryAt.clear();
    this.waiting.clear();
    this.lastUnschedulable.clear();
    this.usedIps.clear();
    this.crashIps.clear();
    this.nextIp = 2;
  }

  /** Stop the queue and wait for stops under way. */
  async stop(): Promise<void> {
    this.queue.stop();
    await Promise.allSettled([...this.running.values()].map((r) => r.stopping ?? Promise.resolve()));
  }

  private get api() {
    return this.o.api;
  }

  /** A pod object vanished (deleted with grace 0, namespace wipe): make sure its containers stop. */
  private forget(pod: KubeObject): void {
    const r = this.running.get(pod.metadata.uid);
    for (const set of this.waiting.values()) set.delete(`${pod.metadata.namespace}/${pod.metadata.name}`);
    this.lastUnschedulable.delete(pod.metadata.uid);
    this.startFailures.delete(pod.metadata.uid);
    this.retryAt.delete(pod.metadata.uid);
    this.releaseCrashIp(pod.metadata.uid);
    if (!r) return;
    if (!r.stopping)
      r.stopping = this.o.runtime
        .stop(pod, 0)
        .catch((err: unknown) => this.o.onError('pods', pod.metadata.name, err));
    void r.stopping.finally(() => {
      this.running.delete(pod.metadata.uid);
      this.usedIps.delete(r.ip);
    });
  }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.api.store.get(PODS, namespace, name);
    if (!pod) return;
    if (pod.metadata.deletionTimestamp) {
      await this.terminate(pod);
      return;
    }
    if (!spec(pod).nodeName) {
      this.schedule(pod);
      return;
    }
    const phase = status(pod).phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    const r = this.running.get(pod.metadata.uid);
    if (!r) {
      // A crash-looping container is retried only when its back-off has passed.
      const wait = (this.retryAt.get(pod.metadata.uid) ?? 0) - Date.now();
      if (wait > 0) {
        this.queue.addAfter(key, wait);
        return;
      }
      await this.start(pod);
      return;
    }
    await this.probe(pod, r);
  }

  private schedule(pod: KubeObject): void {
    const ns = pod.metadata.namespace ?? 'default';
    const podKey = `${ns}/${pod.metadata.name}`;
    let problem: string | undefined;
    for (const claimName of podClaims(pod)) {
      const ck = `${ns}/${claimName}`;
      if (!this.waiting.has(ck)) this.waiting.set(ck, new Set());
      this.waiting.get(ck)!.add(podKey);
      const claim = this.api.store.get(PVCS, ns, claimName);
      if (!claim) {
        problem = `persistentvolumeclaim "${claimName}" not found`;
        break;
      }
      if (claim.metadata.deletionTimestamp) {
        problem = `persistentvolumeclaim "${claimName}" is being deleted`;
        break;
      }
      if ((claim.status as Obj | undefined)?.phase !== 'Bound') {
        const cls = claimClass(claim);
        const sc = cls ? this.api.store.get(STORAGECLASSES, undefined, cls) : undefined;
        if (sc?.volumeBindingMode === 'WaitForFirstConsumer') {
          // The scheduler picks the node and asks for provisioning there.
          if (!claim.metadata.annotations?.['volume.kubernetes.io/selected-node']) {
            this.api.mutate(PVCS, ns, claimName, (c) => {
              c.metadata.annotations = {
                ...(c.metadata.annotations ?? {}),
                'volume.kubernetes.io/selected-node': NODE_NAME,
              };
            });
          }
          problem = 'waiting for volume binding';
          break;
        }
        problem = 'pod has unbound immediate PersistentVolumeClaims';
        break;
      }
    }
    if (problem) {
      if (problem === 'waiting for volume binding') return;
      const message = `0/1 nodes are available: ${problem}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.`;
      if (this.lastUnschedulable.get(pod.metadata.uid) !== message) {
        this.lastUnschedulable.set(pod.metadata.uid, message);
        this.o.recorder.record(pod, 'Warning', 'FailedScheduling', message, SCHEDULER);
        this.api.mutate(PODS, ns, pod.metadata.name, (p) => {
          p.status = {
            ...(p.status ?? {}),
            phase: 'Pending',
            conditions: [condition('PodScheduled', 'False', 'Unschedulable', message)],
          };
        });
      }
      return;
    }
    for (const claimName of podClaims(pod)) this.waiting.get(`${ns}/${claimName}`)?.delete(podKey);
    this.lastUnschedulable.delete(pod.metadata.uid);
    this.o.recorder.record(
      pod,
      'Normal',
      'Scheduled',
      `Successfully assigned ${ns}/${pod.metadata.name} to ${NODE_NAME}`,
      SCHEDULER,
    );
    this.api.mutate(PODS, ns, pod.metadata.name, (p) => {
      (p.spec as Obj).nodeName = NODE_NAME;
      p.status = { ...(p.status ?? {}), phase: 'Pending', conditions: [condition('PodScheduled', 'True')] };
    });
  }

  private allocateIp(): string {
    for (let tries = 0; tries < 65536; tries++) {
      const n = this.nextIp;
      this.nextIp = n >= 65533 ? 2 : n + 1;
      const ip = `10.244.${n >> 8}.${n & 0xff}`;
      if ((n & 0xff) === 0 || (n & 0xff) === 255 || this.usedIps.has(ip)) continue;
      this.usedIps.add(ip);
      return ip;
    }
    throw new Error('pod CIDR 10.244.0.0/16 exhausted');
  }

  private async start(pod: KubeObject): Promise<void> {
    const uid = pod.metadata.uid;
    if (this.starting.has(uid)) return;
    this.starting.add(uid);
    const containers = (spec(pod).containers ?? []) as Obj[];
    try {
      if (this.o.faults.isImagePullFailing(pod.metadata.namespace ?? 'default', pod.metadata.name)) {
        this.imagePullFailing(pod, containers);
        return;
      }
      for (const c of containers) {
        this.o.recorder.record(
          pod,
          'Normal',
          'Pulled',
          `Container image "${String(c.image)}" already present on machine`,
          KUBELET,
          `spec.containers{${String(c.name)}}`,
        );
      }
      if (!this.startFailures.has(uid)) {
        // What `kubectl get pods` shows while the runtime starts the containers.
        this.markWaiting(pod, uid, containers, () => ({ reason: 'ContainerCreating' }));
      }
      try {
        await this.o.runtime.start(pod);
      } catch (err) {
        const attempts = (this.startFailures.get(uid) ?? 0) + 1;
        this.startFailures.set(uid, attempts);
        const message = err instanceof Error ? err.message : String(err);
        // A container that cannot start crash-loops: the pod is Running (restartPolicy Always)
        // with the container waiting in CrashLoopBackOff, as `kubectl get pods` shows it.
        const ip = this.crashIps.get(uid) ?? this.allocateIp();
        this.crashIps.set(uid, ip);
        // The kubelet's back-off: 10 s after the first failure, doubling, capped at 5 min.
        const backoffMs = crashLoopBackOff(attempts, this.o.crashLoopBackOffMs, this.o.crashLoopBackOffMaxMs);
        const now = ts();
        for (const c of containers) {
          this.o.recorder.record(
            pod,
            'Warning',
            'Failed',
            `Error: ${message}`,
            KUBELET,
            `spec.containers{${String(c.name)}}`,
          );
          this.o.recorder.record(
            pod,
            'Warning',
            'BackOff',
            `Back-off restarting failed container ${String(c.name)} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${uid})`,
            KUBELET,
            `spec.containers{${String(c.name)}}`,
          );
        }
        const unready = unreadyMessage(containers);
        this.api.mutate(PODS, pod.metadata.namespace, pod.metadata.name, (p) => {
          if (p.metadata.uid !== uid) return;
          p.status = {
            ...(p.status ?? {}),
            phase: 'Running',
            hostIP: NODE_IP,
            hostIPs: [{ ip: NODE_IP }],
            podIP: ip,
            podIPs: [{ ip }],
            conditions: [
              condition('PodReadyToStartContainers', 'True'),
              condition('Initialized', 'True'),
              condition('Ready', 'False', 'ContainersNotReady', unready),
              condition('ContainersReady', 'False', 'ContainersNotReady', unready),
              condition('PodScheduled', 'True'),
            ],
            containerStatuses: containers.map((c) => ({
              ...containerStatus(
                c,
                {
                  waiting: {
                    reason: 'CrashLoopBackOff',
                    message: `back-off ${goDuration(backoffMs)} restarting failed container=${String(c.name)} pod=${pod.metadata.name}_${pod.metadata.namespace}(${uid})`,
                  },
                },
                false,
                attempts,
              ),
              lastState: {
                terminated: { exitCode: 1, reason: 'Error', message, startedAt: now, finishedAt: now },
              },
            })),
          };
        });
        this.retryAt.set(uid, Date.now() + backoffMs);
        this.queue.addAfter(`${pod.metadata.namespace}/${pod.metadata.name}`, backoffMs);
        return;
      }
      const current = this.api.store.get(PODS, pod.metadata.namespace, pod.metadata.name);
      if (!current || current.metadata.uid !== uid) {
        await this.o.runtime.stop(pod, 0);
        return;
      }
      const ip = this.crashIps.get(uid) ?? this.allocateIp();
      this.crashIps.delete(uid);
      const started = ts();
      this.running.set(uid, { uid, ip, readyAt: Date.now() + this.o.podReadyDelayMs });
      for (const c of containers) {
        this.o.recorder.record(
          pod,
          'Normal',
          'Created',
          `Created container: ${String(c.name)}`,
          KUBELET,
          `spec.containers{${String(c.name)}}`,
        );
        this.o.recorder.record(
          pod,
          'Normal',
          'Started',
          `Started container ${String(c.name)}`,
          KUBELET,
          `spec.containers{${String(c.name)}}`,
        );
      }
      const unready = unreadyMessage(containers);
      this.api.mutate(PODS, pod.metadata.namespace, pod.metadata.name, (p) => {
        p.status = {
          ...(p.status ?? {}),
          phase: 'Running',
          hostIP: NODE_IP,
          hostIPs: [{ ip: NODE_IP }],
          podIP: ip,
          podIPs: [{ ip }],
          startTime: (p.status as Obj | undefined)?.startTime ?? started,
          conditions: [
            condition('PodReadyToStartContainers', 'True'),
            condition('Initialized', 'True'),
            condition('Ready', 'False', 'ContainersNotReady', unready),
            condition('ContainersReady', 'False', 'ContainersNotReady', unready),
            condition('PodScheduled', 'True'),
          ],
          containerStatuses: containers.map((c) =>
            containerStatus(c, { running: { startedAt: started } }, false, this.startFailures.get(uid) ?? 0),
          ),
        };
      });
      this.queue.addAfter(`${pod.metadata.namespace}/${pod.metadata.name}`, this.o.podReadyDelayMs);
    } finally {
      this.starting.delete(uid);
    }
  }

  private async probe(pod: KubeObject, r: Running): Promise<void> {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const wait = r.readyAt - Date.now();
    if (wait > 0) {
      this.queue.addAfter(key, wait);
      return;
    }
    const ns = pod.metadata.namespace ?? 'default';
    const held = this.o.faults.isPodNeverReady(ns, pod.metadata.name);
    const ready = !held && (await this.o.runtime.probeReady(pod));
    const current = this.api.store.get(PODS, ns, pod.metadata.name);
    if (!current || current.metadata.uid !== r.uid || current.metadata.deletionTimestamp) return;
    const isReady =
      ((current.status as Obj | undefined)?.conditions as Obj[] | undefined)?.some(
        (c) => c.type === 'Ready' && c.status === 'True',
      ) ?? false;
    if (ready !== isReady) this.setReady(current, ready);
    if (!ready) {
      if (!r.unreadyReported) {
        r.unreadyReported = true;
        const c = ((spec(current).containers ?? []) as Obj[])[0];
        this.o.recorder.record(
          current,
          'Warning',
          'Unhealthy',
          `Readiness probe failed: ${held ? 'kube-sim fault: pod held unready' : 'probe did not succeed'}`,
          KUBELET,
          c ? `spec.containers{${String(c.name)}}` : undefined,
        );
      }
      const period = Number(
        (((spec(current).containers ?? []) as Obj[])[0]?.readinessProbe as Obj | undefined)?.periodSeconds ??
          10,
      );
      if (!held)
        this.queue.addAfter(
          key,
          Math.max(100, Math.min(period * 1000, Math.max(this.o.podReadyDelayMs, 250))),
        );
    } else r.unreadyReported = false;
  }

  private setReady(pod: KubeObject, ready: boolean): void {
    const containers = (spec(pod).containers ?? []) as Obj[];
    const unready = unreadyMessage(containers);
    this.api.mutate(PODS, pod.metadata.namespace, pod.metadata.name, (p) => {
      const st = (p.status ?? {}) as Obj;
      const conds = ((st.conditions ?? []) as Obj[]).map((c) => {
        if (c.type !== 'Ready' && c.type !== 'ContainersReady') return c;
        return ready
          ? condition(String(c.type), 'True')
          : condition(String(c.type), 'False', 'ContainersNotReady', unready);
      });
      st.conditions = conds;
      st.containerStatuses = ((st.containerStatuses ?? []) as Obj[]).map((cs) => ({ ...cs, ready }));
      p.status = st;
    });
  }

  /** What the kubelet shows while a registry refuses the pull: Pending, ImagePullBackOff, retried. */
  private imagePullFailing(pod: KubeObject, containers: Obj[]): void {
    const uid = pod.metadata.uid;
    const first = !((status(pod).containerStatuses ?? []) as Obj[]).some(
      (cs) =>
        (cs.state as Obj | undefined)?.waiting &&
        ((cs.state as Obj).waiting as Obj).reason === 'ImagePullBackOff',
    );
    if (first) {
      for (const c of containers) {
        const msg = `Failed to pull image "${String(c.image)}": failed to resolve reference "${String(c.image)}": unexpected status from HEAD request: 503 Service Unavailable`;
        this.o.recorder.record(pod, 'Warning', 'Failed', msg, KUBELET, `spec.containers{${String(c.name)}}`);
        this.o.recorder.record(
          pod,
          'Normal',
          'BackOff',
          `Back-off pulling image "${String(c.image)}"`,
          KUBELET,
          `spec.containers{${String(c.name)}}`,
        );
      }
      this.markWaiting(pod, uid, containers, (c) => ({
        reason: 'ImagePullBackOff',
        message: `Back-off pulling image "${String(c.image)}"`,
      }));
    }
    this.queue.addAfter(`${pod.metadata.namespace}/${pod.metadata.name}`, 500);
  }

  /**
   * The pod scheduled but not started: Pending on the node, not Ready, every container waiting
   * (`waiting(c)`: why, as `kubectl get pods` shows it). Skipped when `uid` was replaced meanwhile.
   */
  private markWaiting(
    pod: KubeObject,
    uid: string,
    containers: Obj[],
    waiting: (c: Obj) => { reason: string; message?: string },
  ): void {
    const waitingFor = unreadyMessage(containers);
    this.api.mutate(PODS, pod.metadata.namespace, pod.metadata.name, (p) => {
      if (p.metadata.uid !== uid) return;
      p.status = {
        ...(p.status ?? {}),
        phase: 'Pending',
        hostIP: NODE_IP,
        hostIPs: [{ ip: NODE_IP }],
        startTime: ts(),
        conditions: [
          condition('PodReadyToStartContainers', 'False'),
          condition('Initialized', 'True'),
          condition('Ready', 'False', 'ContainersNotReady', waitingFor),
          condition('ContainersReady', 'False', 'ContainersNotReady', waitingFor),
          condition('PodScheduled', 'True'),
        ],
        containerStatuses: containers.map((c) => containerStatus(c, { waiting: waiting(c) }, false, 0)),
      };
    });
  }

  private markStopped(pod: KubeObject): void {
    const st = (pod.status ?? {}) as Obj;
    const done = ((st.conditions ?? []) as Obj[]).some(
      (c) => c.type === 'Ready' && c.status === 'False' && c.reason === 'PodCompleted',
    );
    if (done) return;
    const now = ts();
    this.api.mutate(PODS, pod.metadata.namespace, pod.metadata.name, (p) => {
      if (p.metadata.uid !== pod.metadata.uid) return;
      const cur = (p.status ?? {}) as Obj;
      cur.phase = 'Succeeded';
      cur.conditions = ((cur.conditions ?? []) as Obj[]).map((c) =>
        c.type === 'Ready' || c.type === 'ContainersReady' || c.type === 'PodReadyToStartContainers'
          ? condition(String(c.type), 'False', 'PodCompleted')
          : c,
      );
      cur.containerStatuses = ((cur.containerStatuses ?? []) as Obj[]).map((cs) => {
        const running = (cs.state as Obj | undefined)?.running as Obj | undefined;
        return {
          ...cs,
          ready: false,
          started: false,
          state: {
            terminated: {
              exitCode: 0,
              reason: 'Completed',
              startedAt: running?.startedAt ?? now,
              finishedAt: now,
              ...(cs.containerID ? { containerID: cs.containerID } : {}),
            },
          },
        };
      });
      p.status = cur;
    });
  }

  private releaseCrashIp(uid: string): void {
    const ip = this.crashIps.get(uid);
    if (ip) this.usedIps.delete(ip);
    this.crashIps.delete(uid);
  }

  private async terminate(pod: KubeObject): Promise<void> {
    const uid = pod.metadata.uid;
    this.releaseCrashIp(uid);
    const r = this.running.get(uid);
    if (r && !r.stopping) {
      for (const c of (spec(pod).containers ?? []) as Obj[]) {
        this.o.recorder.record(
          pod,
          'Normal',
          'Killing',
          `Stopping container ${String(c.name)}`,
          KUBELET,
          `spec.containers{${String(c.name)}}`,
        );
      }
      const grace = Number(pod.metadata.deletionGracePeriodSeconds ?? 30);
      r.stopping = this.o.runtime.stop(pod, grace);
    }
    if (r?.stopping) {
      await r.stopping;
      this.running.delete(uid);
      this.usedIps.delete(r.ip);
    }
    const current = this.api.store.get(PODS, pod.metadata.namespace, pod.metadata.name);
    if (!current || current.metadata.uid !== uid) return;
    const fins = current.metadata.finalizers as string[] | undefined;
    if (fins && fins.length) {
      if (!spec(current).nodeName) return;
      // The kubelet has stopped every container: the pod stays (a finalizer holds it) but is no
      // longer Ready, its containers are terminated, and it reaches a terminal phase.
      this.markStopped(current);
      return;
    }
    this.api.removeNow(PODS, pod.metadata.namespace, pod.metadata.name);
  }
}

/** The back-off after the n-th consecutive start failure (n >= 1): base, 2 base, 4 base, ... up to max. */
export function crashLoopBackOff(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
}

/** A duration as Go's time.Duration prints it (what the kubelet's messages show): 10s, 2m40s, 5m0s, 100ms. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const total = ms / 1000;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = Math.round((total % 60) * 1000) / 1000;
  if (h) return `${h}h${m}m${sec}s`;
  if (m) return `${m}m${sec}s`;
  return `${sec}s`;
}

function condition(type: string, st: 'True' | 'False', reason?: string, message?: string): Obj {
  return {
    type,
    status: st,
    lastProbeTime: null,
    lastTransitionTime: ts(),
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

/** The Ready and ContainersReady conditions' message while `containers` are not ready. */
function unreadyMessage(containers: Obj[]): string {
  return `containers with unready status: [${containers.map((c) => String(c.name)).join(' ')}]`;
}

function containerStatus(c: Obj, state: Obj, ready: boolean, restarts: number): Obj {
  const image = String(c.image ?? '');
  return {
    name: c.name,
    state,
    lastState: {},
    ready,
    restartCount: restarts,
    image: image.includes('/') || image.includes('.') ? image : `docker.io/library/${image}`,
    imageID: `${image.split(':')[0]}@sha256:${'0'.repeat(64)}`,
    containerID: state.running
      ? `containerd://${Buffer.from(`${String(c.name)}-${Date.now()}`)
          .toString('hex')
          .padEnd(64, '0')
          .slice(0, 64)}`
      : undefined,
    started: Boolean(state.running),
    volumeMounts: Array.isArray(c.volumeMounts)
      ? (c.volumeMounts as Obj[]).map((m) => ({ name: m.name, mountPath: m.mountPath }))
      : undefined,
  };
}
