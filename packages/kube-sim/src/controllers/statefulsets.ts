// The StatefulSet controller (pkg/controller/statefulset): pods {name}-{i} with stable identity
// (hostname, subdomain = serviceName), claims {template}-{name}-{i} from volumeClaimTemplates,
// OrderedReady or Parallel creation, scale down from the highest ordinal, rolling updates by
// revision, and the status fields clients wait on.

import { createHash } from 'node:crypto';
import { specOf as spec, splitKey, type Obj } from '../object.ts';
import { findResource } from '../resources.ts';
import type { KubeObject } from '../runtime-contract.ts';
import type { StoreEvent } from '../store.ts';
import type { Controller, ControllerContext } from './controller.ts';
import { WorkQueue } from './queue.ts';

const PODS = findResource('pods')!;
const PVCS = findResource('persistentvolumeclaims')!;
const STATEFULSETS = findResource('statefulsets')!;
const SOURCE = { component: 'statefulset-controller' };

function isRunningAndReady(pod: KubeObject): boolean {
  const st = (pod.status ?? {}) as Obj;
  if (st.phase !== 'Running') return false;
  return ((st.conditions ?? []) as Obj[]).some((c) => c.type === 'Ready' && c.status === 'True');
}

function controllerOf(obj: KubeObject): { kind?: string; name?: string; uid?: string } | undefined {
  const refs = obj.metadata.ownerReferences as
    { kind?: string; name?: string; uid?: string; controller?: boolean }[] | undefined;
  return refs?.find((r) => r.controller);
}

/** The controller-revision-hash of a pod template (stable across identical templates). */
export function revisionHash(sts: KubeObject): string {
  const h = createHash('sha256')
    .update(JSON.stringify(spec(sts).template ?? {}))
    .digest();
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  for (let i = 0; i < 10; i++) out += alphabet[h[i]! % alphabet.length];
  return `${sts.metadata.name}-${out}`;
}

/** Reconciles StatefulSets. */
export class StatefulSetController implements Controller {
  readonly queue: WorkQueue;
  /** pod key -> earliest time it may be re-created (faults.recreateDelayMs) */
  private readonly recreateAt = new Map<string, number>();

  constructor(private readonly o: ControllerContext) {
    this.queue = new WorkQueue('statefulsets', (k) => this.sync(k), o.onError);
  }

  get queues() {
    return [this.queue];
  }

  /** React to a store change. */
  onEvent(ev: StoreEvent): void {
    if (ev.res === STATEFULSETS) {
      this.queue.add(`${ev.object.metadata.namespace}/${ev.object.metadata.name}`);
    } else if (ev.res === PODS) {
      const owner = controllerOf(ev.object);
      if (owner?.kind !== 'StatefulSet' || !owner.name) return;
      const stsKey = `${ev.object.metadata.namespace}/${owner.name}`;
      if (ev.type === 'DELETED') {
        const delay = this.o.faults.current.recreateDelayMs;
        if (delay && delay > 0)
          this.recreateAt.set(
            `${ev.object.metadata.namespace}/${ev.object.metadata.name}`,
            Date.now() + delay,
          );
      }
      this.queue.add(stsKey);
    } else if (ev.res === PVCS && ev.type === 'DELETED') {
      // A claim that was terminating is gone: a waiting StatefulSet can create it again.
      for (const sts of this.o.api.store.list(STATEFULSETS, ev.object.metadata.namespace)) {
        this.queue.add(`${sts.metadata.namespace}/${sts.metadata.name}`);
      }
    }
  }

  /** Forget state (reset). */
  clear(): void {
    this.queue.clear();
    this.recreateAt.clear();
  }

  private get api() {
    return this.o.api;
  }

  private sync(key: string): void {
    const { namespace: ns, name } = splitKey(key);
    const sts = this.api.store.get(STATEFULSETS, ns, name);
    if (!sts || sts.metadata.deletionTimestamp) return;
    const s = spec(sts);
    const replicas = Number(s.replicas ?? 1);
    const parallel = s.podManagementPolicy === 'Parallel';
    const updateRevision = revisionHash(sts);
    const prevStatus = (sts.status ?? {}) as Obj;
    const currentRevision =
      typeof prevStatus.currentRevision === 'string' && prevStatus.currentRevision
        ? prevStatus.currentRevision
        : updateRevision;

    const owned = this.api.store
      .dependentsOf(sts.metadata.uid)
      .filter((d) => d.res === PODS)
      .map((d) => this.api.store.get(PODS, d.namespace, d.name))
      .filter((p): p is KubeObject => p !== undefined && controllerOf(p)?.uid === sts.metadata.uid);
    const byOrdinal = new Map<number, KubeObject>();
    const condemned: KubeObject[] = [];
    for (const p of owned) {
      const m = p.metadata.name.match(/-(\d+)$/);
      const ord = m ? Number(m[1]) : -1;
      if (p.metadata.name !== `${name}-${ord}`) continue;
      if (ord >= replicas) condemned.push(p);
      else byOrdinal.set(ord, p);
    }

    let blocked = false;
    for (let i = 0; i < replicas; i++) {
      const pod = byOrdinal.get(i);
      const podName = `${name}-${i}`;
      if (!pod) {
        if (blocked && !parallel) break;
        const allowedAt = this.recreateAt.get(`${ns}/${podName}`);
        if (allowedAt !== undefined) {
          const wait = allowedAt - Date.now();
          if (wait > 0) {
            this.queue.addAfter(key, wait);
            blocked = true;
            if (!parallel) break;
            continue;
          }
          this.recreateAt.delete(`${ns}/${podName}`);
        }
        if (!this.createClaims(sts, i)) {
          blocked = true;
          if (!parallel) break;
          continue;
        }
        this.createPod(sts, i, updateRevision, currentRevision);
        blocked = true;
        if (!parallel) break;
        continue;
      }
      const phase = (pod.status as Obj | undefined)?.phase;
      if (phase === 'Failed' || phase === 'Succeeded') {
        if (!pod.metadata.deletionTimestamp) {
          this.api.delete(PODS, ns, pod.metadata.name, {});
          this.o.recorder.record(
            sts,
            'Normal',
            'SuccessfulDelete',
            `delete Pod ${pod.metadata.name} in StatefulSet ${name} successful`,
            SOURCE,
          );
        }
        blocked = true;
        if (!parallel) break;
        continue;
      }
      if (pod.metadata.deletionTimestamp || !isRunningAndReady(pod)) {
        blocked = true;
        if (!parallel) break;
      }
    }

    // Scale down from the highest ordinal, one at a time unless Parallel.
    if (condemned.length && (!blocked || parallel)) {
      condemned.sort((a, b) => b.metadata.name.localeCompare(a.metadata.name, undefined, { numeric: true }));
      for (const victim of condemned) {
        if (victim.metadata.deletionTimestamp) {
          if (!parallel) break;
          continue;
        }
        this.api.delete(PODS, ns, victim.metadata.name, {});
        this.o.recorder.record(
          sts,
          'Normal',
          'SuccessfulDelete',
          `delete Pod ${victim.metadata.name} in StatefulSet ${name} successful`,
          SOURCE,
        );
        if (!parallel) break;
      }
    }

    // Rolling update: replace the highest ordinal not at the update revision once all are healthy.
    const strategy = (s.updateStrategy ?? {}) as { type?: string; rollingUpdate?: { partition?: number } };
    if (!blocked && condemned.length === 0 && strategy.type !== 'OnDelete') {
      const partition = Number(strategy.rollingUpdate?.partition ?? 0);
      for (let i = replicas - 1; i >= partition; i--) {
        const pod = byOrdinal.get(i);
        if (!pod) break;
        if (pod.metadata.labels?.['controller-revision-hash'] !== updateRevision) {
          if (!pod.metadata.deletionTimestamp) {
            this.api.delete(PODS, ns, pod.metadata.name, {});
            this.o.recorder.record(
              sts,
              'Normal',
              'SuccessfulDelete',
              `delete Pod ${pod.metadata.name} in StatefulSet ${name} successful`,
              SOURCE,
            );
          }
          break;
        }
      }
    }

    this.writeStatus(sts, updateRevision, currentRevision);
  }

  /** Create missing claims for ordinal i; false while one is still terminating. */
  private createClaims(sts: KubeObject, i: number): boolean {
    const ns = sts.metadata.namespace;
    const name = sts.metadata.name;
    const vcts = (spec(sts).volumeClaimTemplates ?? []) as KubeObject[];
    const selectorLabels = ((spec(sts).selector as Obj | undefined)?.matchLabels ?? {}) as Record<
      string,
      string
    >;
    const retention = (spec(sts).persistentVolumeClaimRetentionPolicy ?? {}) as { whenDeleted?: string };
    for (const vct of vcts) {
      const claimName = `${vct.metadata.name}-${name}-${i}`;
      const existing = this.api.store.get(PVCS, ns, claimName);
      if (existing) {
        if (existing.metadata.deletionTimestamp) return false;
        continue;
      }
      const claim: KubeObject = {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name: claimName,
          namespace: ns,
          uid: '',
          labels: { ...(vct.metadata.labels ?? {}), ...selectorLabels },
          ...(vct.metadata.annotations ? { annotations: { ...vct.metadata.annotations } } : {}),
          ...(retention.whenDeleted === 'Delete'
            ? {
                ownerReferences: [
                  {
                    apiVersion: 'apps/v1',
                    kind: 'StatefulSet',
                    name,
                    uid: sts.metadata.uid,
                    controller: true,
                    blockOwnerDeletion: true,
                  },
                ],
              }
            : {}),
        },
        spec: structuredClone(vct.spec ?? {}),
      };
      this.api.createInternal(PVCS, claim);
      this.o.recorder.record(
        sts,
        'Normal',
        'SuccessfulCreate',
        `create Claim ${claimName} Pod ${name}-${i} in StatefulSet ${name} success`,
        SOURCE,
      );
    }
    return true;
  }

  private createPod(sts: KubeObject, i: number, updateRevision: string, _currentRevision: string): void {
    const name = sts.metadata.name;
    const podName = `${name}-${i}`;
    const template = (spec(sts).template ?? {}) as { metadata?: Obj; spec?: Obj };
    const tmeta = (template.metadata ?? {}) as {
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
      finalizers?: string[];
    };
    const podSpec = structuredClone(template.spec ?? {}) as Obj;
    podSpec.hostname = podName;
    if (spec(sts).serviceName) podSpec.subdomain = spec(sts).serviceName;
    const vcts = (spec(sts).volumeClaimTemplates ?? []) as KubeObject[];
    if (vcts.length) {
      const volumes = ((podSpec.volumes ?? []) as Obj[]).filter(
        (v) => !vcts.some((t) => t.metadata.name === v.name),
      );
      for (const vct of vcts)
        volumes.push({
          name: vct.metadata.name,
          persistentVolumeClaim: { claimName: `${vct.metadata.name}-${name}-${i}` },
        });
      podSpec.volumes = volumes;
    }
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: podName,
        namespace: sts.metadata.namespace,
        uid: '',
        labels: {
          ...(tmeta.labels ?? {}),
          'apps.kubernetes.io/pod-index': String(i),
          'controller-revision-hash': updateRevision,
          'statefulset.kubernetes.io/pod-name': podName,
        },
        ...(tmeta.annotations ? { annotations: { ...tmeta.annotations } } : {}),
        // GetPodFromTemplate copies the template's finalizers too.
        ...(tmeta.finalizers?.length ? { finalizers: [...tmeta.finalizers] } : {}),
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'StatefulSet',
            name,
            uid: sts.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: podSpec,
    };
    try {
      this.api.createInternal(PODS, pod);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.o.recorder.record(
        sts,
        'Warning',
        'FailedCreate',
        `create Pod ${podName} in StatefulSet ${name} failed error: ${message}`,
        SOURCE,
      );
      throw err;
    }
    this.o.recorder.record(
      sts,
      'Normal',
      'SuccessfulCreate',
      `create Pod ${podName} in StatefulSet ${name} successful`,
      SOURCE,
    );
  }

  private writeStatus(sts: KubeObject, updateRevision: string, currentRevision: string): void {
    const pods = this.api.store
      .dependentsOf(sts.metadata.uid)
      .filter((d) => d.res === PODS)
      .map((d) => this.api.store.get(PODS, d.namespace, d.name))
      .filter((p): p is KubeObject => p !== undefined);
    let replicas = 0;
    let ready = 0;
    let current = 0;
    let updated = 0;
    for (const p of pods) {
      replicas++;
      if (isRunningAndReady(p)) ready++;
      if (!p.metadata.deletionTimestamp) {
        const rev = p.metadata.labels?.['controller-revision-hash'];
        if (rev === currentRevision) current++;
        if (rev === updateRevision) updated++;
      }
    }
    const desired = Number(spec(sts).replicas ?? 1);
    let curRev = currentRevision;
    if (updated === desired && replicas === desired) {
      curRev = updateRevision;
      current = updated;
    }
    this.api.mutate(STATEFULSETS, sts.metadata.namespace, sts.metadata.name, (o) => {
      o.status = {
        ...(o.status ?? {}),
        observedGeneration: o.metadata.generation,
        replicas,
        readyReplicas: ready,
        currentReplicas: current,
        updatedReplicas: updated,
        availableReplicas: ready,
        currentRevision: curRev,
        updateRevision,
        collisionCount: 0,
      };
      // omitempty fields, as the API serializes them
      for (const f of ['readyReplicas', 'currentReplicas', 'updatedReplicas'])
        if ((o.status as Obj)[f] === 0) delete (o.status as Obj)[f];
    });
  }
}
