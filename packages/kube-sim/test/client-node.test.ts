// The chapter's flows through the real @kubernetes/client-node 1.4 over HTTP: typed CRUD, the
// patch formats it sends, error codes, and a watch that sees a pod deleted and re-created.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parse } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from '../src/index.ts';
import { CHAPTER, until } from './sim-helpers.ts';

const manifest = <T>(name: string): T => parse(readFileSync(join(CHAPTER, name), 'utf8')) as T;

describe('chapter flows through @kubernetes/client-node', { timeout: 30_000 }, () => {
  let sim: KubeSim;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  let kc: k8s.KubeConfig;

  beforeAll(async () => {
    sim = await startKubeSim({ podReadyDelayMs: 30 });
    kc = new k8s.KubeConfig();
    kc.loadFromString(sim.kubeconfigYaml);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
  });
  afterAll(async () => {
    await sim?.stop();
  });
  beforeEach(async () => {
    await sim.reset();
    await core.createNamespace({ body: { metadata: { name: 'shiqi' } } });
  });

  const phaseOf = async (claim: string) =>
    (await core.readNamespacedPersistentVolumeClaim({ name: claim, namespace: 'shiqi' })).status?.phase;

  it('binds the pre-bound PV and claim on both sides, then walks the 6.4 Released sequence', async () => {
    await core.createPersistentVolume({ body: manifest<k8s.V1PersistentVolume>('pv-shiqi-redis.yaml') });
    await until(
      'PV Available',
      async () => (await core.readPersistentVolume({ name: 'pv-shiqi-redis' })).status?.phase === 'Available',
    );
    const claim = await core.createNamespacedPersistentVolumeClaim({
      namespace: 'shiqi',
      body: manifest<k8s.V1PersistentVolumeClaim>('pvc-shiqi-redis.yaml'),
    });
    await until('claim Bound', async () => (await phaseOf('pvc-shiqi-redis')) === 'Bound');
    const pv = await core.readPersistentVolume({ name: 'pv-shiqi-redis' });
    expect(pv.status?.phase).toBe('Bound');
    expect(pv.spec?.claimRef?.uid).toBe(claim.metadata?.uid);
    const bound = await core.readNamespacedPersistentVolumeClaim({
      name: 'pvc-shiqi-redis',
      namespace: 'shiqi',
    });
    expect(bound.spec?.volumeName).toBe('pv-shiqi-redis');
    expect(bound.status?.capacity?.storage).toBe('64Mi');

    await core.deleteNamespacedPersistentVolumeClaim({ name: 'pvc-shiqi-redis', namespace: 'shiqi' });
    await until(
      'PV Released',
      async () => (await core.readPersistentVolume({ name: 'pv-shiqi-redis' })).status?.phase === 'Released',
    );
    expect((await core.readPersistentVolume({ name: 'pv-shiqi-redis' })).spec?.claimRef?.uid).toBe(
      claim.metadata?.uid,
    );
    await core.createNamespacedPersistentVolumeClaim({
      namespace: 'shiqi',
      body: manifest<k8s.V1PersistentVolumeClaim>('pvc-shiqi-redis.yaml'),
    });
    await sim.settle();
    expect(await phaseOf('pvc-shiqi-redis')).toBe('Pending');

    await core.patchPersistentVolume(
      { name: 'pv-shiqi-redis', body: { spec: { claimRef: null } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await until('re-created claim Bound', async () => (await phaseOf('pvc-shiqi-redis')) === 'Bound');
  });

  it('errors carry the real codes: 404, 409 AlreadyExists, 409 Conflict, 422 Invalid with causes', async () => {
    const err = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        return e as k8s.ApiException<string>;
      }
      throw new Error('expected the call to fail');
    };
    const missing = await err(core.readNamespacedPod({ name: 'nope', namespace: 'shiqi' }));
    expect(missing.code).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'pods "nope" not found',
    });

    await core.createPersistentVolume({ body: manifest<k8s.V1PersistentVolume>('pv-shiqi-redis.yaml') });
    const dup = await err(
      core.createPersistentVolume({ body: manifest<k8s.V1PersistentVolume>('pv-shiqi-redis.yaml') }),
    );
    expect(dup.code).toBe(409);
    expect(JSON.parse(dup.body)).toMatchObject({
      reason: 'AlreadyExists',
      message: 'persistentvolumes "pv-shiqi-redis" already exists',
    });

    const pv = await core.readPersistentVolume({ name: 'pv-shiqi-redis' });
    await core.replacePersistentVolume({
      name: 'pv-shiqi-redis',
      body: { ...pv, metadata: { ...pv.metadata, labels: { a: 'b' } } },
    });
    const stale = await err(core.replacePersistentVolume({ name: 'pv-shiqi-redis', body: pv }));
    expect(stale.code).toBe(409);
    expect(JSON.parse(stale.body).reason).toBe('Conflict');

    const invalid = await err(
      core.createNamespacedPersistentVolumeClaim({
        namespace: 'shiqi',
        body: { metadata: { name: 'bad' }, spec: { accessModes: ['ReadWriteSometimes'] } },
      }),
    );
    expect(invalid.code).toBe(422);
    const status = JSON.parse(invalid.body) as {
      reason: string;
      details: { causes: { field: string; reason: string }[] };
    };
    expect(status.reason).toBe('Invalid');
    expect(status.details.causes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'spec.accessModes', reason: 'FieldValueNotSupported' }),
        expect.objectContaining({ field: 'spec.resources[storage]', reason: 'FieldValueRequired' }),
      ]),
    );
  });

  it('creates the StatefulSet pods in order with stable identity, and a watch sees a deleted pod come back with a new uid', async () => {
    await core.createPersistentVolume({
      body: manifest<k8s.V1PersistentVolume>('pv-shiqi-redis-exist-pvc.yml'),
    });
    await core.createNamespacedPersistentVolumeClaim({
      namespace: 'shiqi',
      body: manifest<k8s.V1PersistentVolumeClaim>('pvc-shiqi-redis-exist-pvc.yml'),
    });
    const sts = manifest<k8s.V1StatefulSet>('statefulset-redis-exist-pvc.yml');
    sts.spec!.replicas = 2;
    await apps.createNamespacedStatefulSet({ namespace: 'shiqi', body: sts });
    await until(
      '2/2 ready',
      async () =>
        (await apps.readNamespacedStatefulSet({ name: 'statefulset-redis-exist-pvc', namespace: 'shiqi' }))
          .status?.readyReplicas === 2,
    );
    const pods = await core.listNamespacedPod({ namespace: 'shiqi', labelSelector: 'app=redis-exist-pvc' });
    expect(pods.items.map((p) => p.metadata?.name).sort()).toEqual([
      'statefulset-redis-exist-pvc-0',
      'statefulset-redis-exist-pvc-1',
    ]);
    const p0 = pods.items.find((p) => p.metadata?.name === 'statefulset-redis-exist-pvc-0')!;
    const p1 = pods.items.find((p) => p.metadata?.name === 'statefulset-redis-exist-pvc-1')!;
    // OrderedReady: pod 1 was created only after pod 0 was Ready.
    const ready0 = p0.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime;
    expect(new Date(p1.metadata!.creationTimestamp!).getTime()).toBeGreaterThanOrEqual(
      new Date(ready0!).getTime() - 1000,
    );
    expect(p0.spec).toMatchObject({
      hostname: 'statefulset-redis-exist-pvc-0',
      subdomain: 'redis-exist-pvc',
    });
    expect(p0.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'StatefulSet',
      name: 'statefulset-redis-exist-pvc',
      controller: true,
    });
    const status = (
      await apps.readNamespacedStatefulSet({ name: 'statefulset-redis-exist-pvc', namespace: 'shiqi' })
    ).status!;
    expect(status).toMatchObject({
      replicas: 2,
      readyReplicas: 2,
      currentReplicas: 2,
      updatedReplicas: 2,
      observedGeneration: 1,
    });
    expect(status.currentRevision).toBe(status.updateRevision);

    const list = await core.listNamespacedPod({ namespace: 'shiqi' });
    const seen: { type: string; name: string; uid: string; ready: boolean }[] = [];
    const watch = new k8s.Watch(kc);
    let done: unknown = 'open';
    const controller = await watch.watch(
      '/api/v1/namespaces/shiqi/pods',
      {
        resourceVersion: list.metadata?.resourceVersion,
        fieldSelector: 'metadata.name=statefulset-redis-exist-pvc-0',
      },
      (type, obj: k8s.V1Pod) =>
        seen.push({
          type,
          name: obj.metadata!.name!,
          uid: obj.metadata!.uid!,
          ready: obj.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
        }),
      (err) => {
        done = err ?? 'closed';
      },
    );
    await core.deleteNamespacedPod({ name: 'statefulset-redis-exist-pvc-0', namespace: 'shiqi' });
    const back = await until('a new Ready pod in the watch', () =>
      seen.find((e) => e.uid !== p0.metadata!.uid && e.ready),
    );
    const stateBeforeAbort = done;
    controller.abort();
    expect(seen.some((e) => e.type === 'DELETED' && e.uid === p0.metadata!.uid)).toBe(true);
    expect(seen.some((e) => e.type === 'ADDED' && e.uid === back.uid)).toBe(true);
    expect(back.name).toBe('statefulset-redis-exist-pvc-0');
    // The stream stayed open through the whole delete/re-create.
    expect(stateBeforeAbort).toBe('open');
  });

  it('provisions a PV for the dynamic StatefulSet and scales down from the highest ordinal', async () => {
    const sts = manifest<k8s.V1StatefulSet>('statefulset-redis-not-exist-pvc.yml');
    await apps.createNamespacedStatefulSet({ namespace: 'shiqi', body: sts });
    await until(
      'claim Bound',
      async () =>
        (await phaseOf('pvc-shiqi-statefulset-redis-not-exist-pvc-0').catch(() => undefined)) === 'Bound',
    );
    const claim = await core.readNamespacedPersistentVolumeClaim({
      name: 'pvc-shiqi-statefulset-redis-not-exist-pvc-0',
      namespace: 'shiqi',
    });
    const pv = await core.readPersistentVolume({ name: claim.spec!.volumeName! });
    expect(pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by']).toBe(
      'k8s-sigs.io/nfs-subdir-external-provisioner',
    );
    expect(claim.metadata?.labels).toMatchObject({ app: 'redis-not-exist-pvc' });

    await apps.patchNamespacedStatefulSetScale(
      { name: 'statefulset-redis-not-exist-pvc', namespace: 'shiqi', body: { spec: { replicas: 3 } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await until(
      '3 ready',
      async () =>
        (
          await apps.readNamespacedStatefulSet({
            name: 'statefulset-redis-not-exist-pvc',
            namespace: 'shiqi',
          })
        ).status?.readyReplicas === 3,
    );
    const claims = await core.listNamespacedPersistentVolumeClaim({ namespace: 'shiqi' });
    expect(claims.items.map((c) => c.metadata?.name).sort()).toEqual(
      [0, 1, 2].map((i) => `pvc-shiqi-statefulset-redis-not-exist-pvc-${i}`),
    );

    await apps.patchNamespacedStatefulSet(
      { name: 'statefulset-redis-not-exist-pvc', namespace: 'shiqi', body: { spec: { replicas: 1 } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    );
    await until(
      'scaled to 1',
      async () => (await core.listNamespacedPod({ namespace: 'shiqi' })).items.length === 1,
    );
    expect((await core.listNamespacedPod({ namespace: 'shiqi' })).items[0]!.metadata?.name).toBe(
      'statefulset-redis-not-exist-pvc-0',
    );
    // Claims are retained on scale-down (persistentVolumeClaimRetentionPolicy defaults to Retain).
    expect((await core.listNamespacedPersistentVolumeClaim({ namespace: 'shiqi' })).items).toHaveLength(3);
    const s = await apps.readNamespacedStatefulSet({
      name: 'statefulset-redis-not-exist-pvc',
      namespace: 'shiqi',
    });
    expect(s.metadata?.generation).toBe(3);
    await until('status caught up', async () => {
      const st = (
        await apps.readNamespacedStatefulSet({ name: 'statefulset-redis-not-exist-pvc', namespace: 'shiqi' })
      ).status;
      return st?.observedGeneration === 3 && st.replicas === 1;
    });
  });

  it('deleting a StatefulSet deletes its pods (background propagation) but keeps the claims', async () => {
    await apps.createNamespacedStatefulSet({
      namespace: 'shiqi',
      body: manifest<k8s.V1StatefulSet>('statefulset-redis-not-exist-pvc.yml'),
    });
    await until(
      'pod Running',
      async () =>
        (await core.listNamespacedPod({ namespace: 'shiqi' })).items[0]?.status?.phase === 'Running',
    );
    await apps.deleteNamespacedStatefulSet({
      name: 'statefulset-redis-not-exist-pvc',
      namespace: 'shiqi',
      propagationPolicy: 'Background',
    });
    await until(
      'pods gone',
      async () => (await core.listNamespacedPod({ namespace: 'shiqi' })).items.length === 0,
    );
    expect((await core.listNamespacedPersistentVolumeClaim({ namespace: 'shiqi' })).items).toHaveLength(1);
  });
});
