// The chapter's own procedures for namespace `shiqi`, driven with real kubectl: sections 7.2 and
// 6.1 (static PV pre-bound by claimRef), 6.4 (Released PV and claimRef cleanup), part 5
// (StatefulSet with an existing claim, headless Service, dynamic provisioning, pod re-creation),
// `kubectl apply` idempotence, validation errors, namespace deletion.
//
// The same procedures run against kube-sim (kubectl-chapter.test.ts) and against a real cluster
// (packages/cluster's real-cluster lane), with the same assertions: what kubectl shows a student
// must be the same on both.
import { join } from 'node:path';
import { it, expect } from 'vitest';
import { CHAPTER, row, type KubectlResult } from './sim-helpers.ts';

/** Where the procedures run: kube-sim or a real cluster, driven by real kubectl either way. */
export interface ProcedureTarget {
  /** A scratch directory for edited manifests. */
  tmpDir: string;
  kubectl(...args: string[]): Promise<KubectlResult>;
  /** kubectl that must succeed; returns stdout. */
  k(...args: string[]): Promise<string>;
  /** Waits until an object satisfies pred (synchronisation only, not an assertion). */
  waitFor(
    resource: string,
    namespace: string | undefined,
    name: string,
    pred: (o: KubeLike) => boolean,
  ): Promise<KubeLike>;
  /** Polls fn until it returns a truthy value; deadlines scale with the target's speed. */
  until<T>(what: string, fn: () => T | Promise<T>, timeoutMs?: number): Promise<NonNullable<T>>;
}

/** The parts of an object the procedures read. */
export type KubeLike = {
  metadata?: Record<string, unknown>;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

const f = (name: string) => join(CHAPTER, name);

/** A pod whose Ready condition is True. */
const podIsReady = (o: KubeLike) =>
  (o.status?.conditions as { type: string; status: string }[] | undefined)?.some(
    (c) => c.type === 'Ready' && c.status === 'True',
  ) ?? false;

/**
 * Registers every chapter procedure as a test against `target()` (called inside each test). The
 * caller's beforeEach empties the cluster and creates namespace `shiqi`.
 */
export function chapterProcedures(target: () => ProcedureTarget): void {
  it('7.2 + 6.1: the pre-bound PV is Available, then Bound once the claim exists; describe pvc names the volume', async () => {
    const h = target();
    expect(await h.k('apply', '-f', f('pv-shiqi-redis.yaml'))).toContain(
      'persistentvolume/pv-shiqi-redis created',
    );
    await h.k('wait', '--for=jsonpath={.status.phase}=Available', 'pv/pv-shiqi-redis', '--timeout=10s');
    const pv = row(await h.k('get', 'pv', 'pv-shiqi-redis'), 'pv-shiqi-redis');
    expect(pv).toMatchObject({
      CAPACITY: '64Mi',
      'ACCESS MODES': 'RWX',
      'RECLAIM POLICY': 'Retain',
      STATUS: 'Available',
      CLAIM: 'shiqi/pvc-shiqi-redis',
    });

    expect(await h.k('apply', '-f', f('pvc-shiqi-redis.yaml'))).toContain(
      'persistentvolumeclaim/pvc-shiqi-redis created',
    );
    await h.k(
      'wait',
      '--for=jsonpath={.status.phase}=Bound',
      'pvc/pvc-shiqi-redis',
      '-n',
      'shiqi',
      '--timeout=10s',
    );
    const pvc = row(await h.k('get', 'pvc', '-n', 'shiqi'), 'pvc-shiqi-redis');
    expect(pvc).toMatchObject({
      STATUS: 'Bound',
      VOLUME: 'pv-shiqi-redis',
      CAPACITY: '64Mi',
      'ACCESS MODES': 'RWX',
      STORAGECLASS: '',
    });
    expect(row(await h.k('get', 'pv'), 'pv-shiqi-redis').STATUS).toBe('Bound');

    const describe = await h.k('describe', 'pvc', 'pvc-shiqi-redis', '-n', 'shiqi');
    expect(describe).toMatch(/Volume:\s+pv-shiqi-redis/);
    expect(describe).toMatch(/Status:\s+Bound/);

    // Binding is two-sided: the PV's claimRef carries the claim's uid.
    const claimUid = await h.k(
      'get',
      'pvc',
      'pvc-shiqi-redis',
      '-n',
      'shiqi',
      '-o',
      'jsonpath={.metadata.uid}',
    );
    expect(await h.k('get', 'pv', 'pv-shiqi-redis', '-o', 'jsonpath={.spec.claimRef.uid}')).toBe(claimUid);
  });

  it('6.4: delete claim -> Released with the stale uid, re-created claim Pending, patch claimRef null -> Bound', async () => {
    const h = target();
    await h.k('apply', '-f', f('pv-shiqi-redis.yaml'), '-f', f('pvc-shiqi-redis.yaml'));
    await h.waitFor('persistentvolumeclaims', 'shiqi', 'pvc-shiqi-redis', (o) => o.status?.phase === 'Bound');
    const oldUid = await h.k(
      'get',
      'pvc',
      'pvc-shiqi-redis',
      '-n',
      'shiqi',
      '-o',
      'jsonpath={.metadata.uid}',
    );

    expect(await h.k('delete', 'pvc', 'pvc-shiqi-redis', '-n', 'shiqi')).toContain('deleted');
    await h.waitFor('persistentvolumes', undefined, 'pv-shiqi-redis', (o) => o.status?.phase === 'Released');
    expect(row(await h.k('get', 'pv', 'pv-shiqi-redis'), 'pv-shiqi-redis').STATUS).toBe('Released');
    const claimRef = JSON.parse(
      await h.k('get', 'pv', 'pv-shiqi-redis', '-o', 'jsonpath={.spec.claimRef}'),
    ) as Record<string, string>;
    expect(claimRef).toMatchObject({ name: 'pvc-shiqi-redis', namespace: 'shiqi', uid: oldUid });
    expect(claimRef.resourceVersion).toBeTruthy();

    await h.k('apply', '-f', f('pvc-shiqi-redis.yaml'));
    // The controller looks at the new claim and still refuses the Released volume.
    const events = await h.until('a FailedBinding event on the re-created claim', async () => {
      const out = await h.k(
        'get',
        'events',
        '-n',
        'shiqi',
        '--field-selector',
        'involvedObject.name=pvc-shiqi-redis,reason=FailedBinding',
      );
      return out.includes('FailedBinding') ? out : undefined;
    });
    expect(events).toContain('no persistent volumes available for this claim and no storage class is set');
    expect(row(await h.k('get', 'pvc', '-n', 'shiqi'), 'pvc-shiqi-redis').STATUS).toBe('Pending');
    expect(row(await h.k('get', 'pv', 'pv-shiqi-redis'), 'pv-shiqi-redis').STATUS).toBe('Released');

    expect(await h.k('patch', 'pv', 'pv-shiqi-redis', '-p', '{"spec":{"claimRef": null}}')).toContain(
      'persistentvolume/pv-shiqi-redis patched',
    );
    await h.waitFor('persistentvolumeclaims', 'shiqi', 'pvc-shiqi-redis', (o) => o.status?.phase === 'Bound');
    expect(row(await h.k('get', 'pv', 'pv-shiqi-redis'), 'pv-shiqi-redis')).toMatchObject({
      STATUS: 'Bound',
      CLAIM: 'shiqi/pvc-shiqi-redis',
    });
    const newUid = await h.k(
      'get',
      'pvc',
      'pvc-shiqi-redis',
      '-n',
      'shiqi',
      '-o',
      'jsonpath={.metadata.uid}',
    );
    expect(newUid).not.toBe(oldUid);
    expect(await h.k('get', 'pv', 'pv-shiqi-redis', '-o', 'jsonpath={.spec.claimRef.uid}')).toBe(newUid);
  });

  it('6.4 method two: clearing only uid and resourceVersion also lets the new claim bind', async () => {
    const h = target();
    await h.k('apply', '-f', f('pv-shiqi-redis.yaml'), '-f', f('pvc-shiqi-redis.yaml'));
    await h.waitFor('persistentvolumeclaims', 'shiqi', 'pvc-shiqi-redis', (o) => o.status?.phase === 'Bound');
    await h.k('delete', 'pvc', 'pvc-shiqi-redis', '-n', 'shiqi');
    await h.waitFor('persistentvolumes', undefined, 'pv-shiqi-redis', (o) => o.status?.phase === 'Released');
    await h.k('apply', '-f', f('pvc-shiqi-redis.yaml'));
    await h.k(
      'patch',
      'pv',
      'pv-shiqi-redis',
      '-p',
      '{"spec":{"claimRef": {"resourceVersion": null, "uid": null}}}',
    );
    await h.waitFor('persistentvolumeclaims', 'shiqi', 'pvc-shiqi-redis', (o) => o.status?.phase === 'Bound');
    expect(row(await h.k('get', 'pv', 'pv-shiqi-redis'), 'pv-shiqi-redis').STATUS).toBe('Bound');
  });

  it('kubectl apply reports unchanged for the same manifest and configured for a changed one', async () => {
    const h = target();
    expect(await h.k('apply', '-f', f('statefulset-redis-exist-pvc.yml'))).toContain(
      'statefulset.apps/statefulset-redis-exist-pvc created',
    );
    expect(await h.k('apply', '-f', f('statefulset-redis-exist-pvc.yml'))).toContain(
      'statefulset.apps/statefulset-redis-exist-pvc unchanged',
    );
    expect(await h.k('apply', '-f', f('pv-shiqi-redis.yaml'))).toContain('created');
    expect(await h.k('apply', '-f', f('pv-shiqi-redis.yaml'))).toContain(
      'persistentvolume/pv-shiqi-redis unchanged',
    );

    const changed = (await import('node:fs'))
      .readFileSync(f('statefulset-redis-exist-pvc.yml'), 'utf8')
      .replace('replicas: 1', 'replicas: 2');
    const file = join(h.tmpDir, 'sts-2.yml');
    (await import('node:fs')).writeFileSync(file, changed);
    expect(await h.k('apply', '-f', file)).toContain(
      'statefulset.apps/statefulset-redis-exist-pvc configured',
    );
    expect(
      await h.k(
        'get',
        'sts',
        'statefulset-redis-exist-pvc',
        '-n',
        'shiqi',
        '-o',
        'jsonpath={.spec.replicas} {.metadata.generation}',
      ),
    ).toBe('2 2');
  });

  it('part 5: StatefulSet on the existing claim plus headless Service -> 1/1 Ready, pod Running, endpoints without hostname for the mismatched Service name', async () => {
    const h = target();
    await h.k('apply', '-f', f('pv-shiqi-redis-exist-pvc.yml'), '-f', f('pvc-shiqi-redis-exist-pvc.yml'));
    await h.k('apply', '-f', f('statefulset-redis-exist-pvc.yml'));
    expect(await h.k('apply', '-f', f('service-headless-redis-exist-pvc.yaml'))).toContain(
      'service/service-headless-redis-exist-pvc created',
    );
    await h.waitFor(
      'statefulsets',
      'shiqi',
      'statefulset-redis-exist-pvc',
      (o) => o.status?.readyReplicas === 1,
    );

    expect(row(await h.k('get', 'statefulsets', '-n', 'shiqi'), 'statefulset-redis-exist-pvc').READY).toBe(
      '1/1',
    );
    expect(row(await h.k('get', 'pods', '-n', 'shiqi'), 'statefulset-redis-exist-pvc-0')).toMatchObject({
      READY: '1/1',
      STATUS: 'Running',
      RESTARTS: '0',
    });
    expect(row(await h.k('get', 'pvc', '-n', 'shiqi'), 'pvc-shiqi-redis-exist-pvc')).toMatchObject({
      STATUS: 'Bound',
      VOLUME: 'pv-shiqi-redis-exist-pvc',
    });
    expect(
      row(
        await h.k('get', 'svc', 'service-headless-redis-exist-pvc', '-n', 'shiqi'),
        'service-headless-redis-exist-pvc',
      ),
    ).toMatchObject({
      TYPE: 'ClusterIP',
      'CLUSTER-IP': 'None',
      'EXTERNAL-IP': '<none>',
      'PORT(S)': '6379/TCP',
    });

    const pod = JSON.parse(
      await h.k('get', 'pod', 'statefulset-redis-exist-pvc-0', '-n', 'shiqi', '-o', 'json'),
    ) as {
      spec: { hostname: string; subdomain: string };
      status: { podIP: string };
    };
    expect(pod.spec).toMatchObject({
      hostname: 'statefulset-redis-exist-pvc-0',
      subdomain: 'redis-exist-pvc',
    });
    expect(pod.status.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
    const slice = await h.until('an EndpointSlice with the pod', async () => {
      const out = JSON.parse(
        await h.k(
          'get',
          'endpointslices',
          '-n',
          'shiqi',
          '-l',
          'kubernetes.io/service-name=service-headless-redis-exist-pvc',
          '-o',
          'json',
        ),
      ) as {
        items: { endpoints?: { addresses: string[]; hostname?: string; conditions: { ready: boolean } }[] }[];
      };
      const eps = out.items[0]?.endpoints ?? [];
      return eps.length && eps[0]!.conditions.ready ? eps : undefined;
    });
    expect(slice[0]!.addresses).toEqual([pod.status.podIP]);
    // The chapter's Service name differs from serviceName, so no per-pod DNS name exists.
    expect(slice[0]!.hostname).toBeUndefined();
  });

  it('part 5: a headless Service named as serviceName gives the endpoint the pod hostname', async () => {
    const h = target();
    await h.k(
      'apply',
      '-f',
      f('pv-shiqi-redis-exist-pvc.yml'),
      '-f',
      f('pvc-shiqi-redis-exist-pvc.yml'),
      '-f',
      f('statefulset-redis-exist-pvc.yml'),
    );
    await h.k('create', 'service', 'clusterip', 'redis-exist-pvc', '--clusterip=None', '-n', 'shiqi');
    await h.k('set', 'selector', 'service', 'redis-exist-pvc', 'app=redis-exist-pvc', '-n', 'shiqi');
    const hostname = await h.until(
      'the endpoint hostname',
      async () =>
        (
          await h.k(
            'get',
            'endpoints',
            'redis-exist-pvc',
            '-n',
            'shiqi',
            '-o',
            'jsonpath={.subsets[0].addresses[0].hostname}',
          )
        ).trim() || undefined,
    );
    expect(hostname).toBe('statefulset-redis-exist-pvc-0');
  });

  it('part 5 dynamic provisioning: the claim from volumeClaimTemplates is Bound to a provisioned PV', async () => {
    const h = target();
    await h.k('apply', '-f', f('statefulset-redis-not-exist-pvc.yml'));
    await h.waitFor(
      'persistentvolumeclaims',
      'shiqi',
      'pvc-shiqi-statefulset-redis-not-exist-pvc-0',
      (o) => o.status?.phase === 'Bound',
    );
    const claim = JSON.parse(
      await h.k('get', 'pvc', 'pvc-shiqi-statefulset-redis-not-exist-pvc-0', '-n', 'shiqi', '-o', 'json'),
    ) as {
      metadata: { uid: string };
      spec: { volumeName: string; storageClassName: string };
    };
    expect(claim.spec).toMatchObject({
      storageClassName: 'nfs-client',
      volumeName: `pvc-${claim.metadata.uid}`,
    });
    const pv = JSON.parse(await h.k('get', 'pv', claim.spec.volumeName, '-o', 'json')) as {
      metadata: { annotations: Record<string, string> };
      spec: { nfs: { path: string }; persistentVolumeReclaimPolicy: string; claimRef: { uid: string } };
    };
    expect(pv.metadata.annotations['pv.kubernetes.io/provisioned-by']).toBe(
      'k8s-sigs.io/nfs-subdir-external-provisioner',
    );
    expect(pv.spec.nfs.path).toBe(
      `/nfs/shiqi-pvc-shiqi-statefulset-redis-not-exist-pvc-0-${claim.spec.volumeName}`,
    );
    expect(pv.spec.claimRef.uid).toBe(claim.metadata.uid);
    expect(row(await h.k('get', 'pv'), claim.spec.volumeName)).toMatchObject({
      STATUS: 'Bound',
      'RECLAIM POLICY': 'Delete',
      STORAGECLASS: 'nfs-client',
      'ACCESS MODES': 'RWO',
    });
    await h.waitFor(
      'statefulsets',
      'shiqi',
      'statefulset-redis-not-exist-pvc',
      (o) => o.status?.readyReplicas === 1,
    );
    expect(
      row(await h.k('get', 'statefulsets', '-n', 'shiqi'), 'statefulset-redis-not-exist-pvc').READY,
    ).toBe('1/1');
    const events = await h.k('describe', 'pvc', 'pvc-shiqi-statefulset-redis-not-exist-pvc-0', '-n', 'shiqi');
    expect(events).toContain('ProvisioningSucceeded');
  });

  it('kubectl delete pod: the StatefulSet re-creates it with the same name and a new uid', async () => {
    const h = target();
    await h.k(
      'apply',
      '-f',
      f('pv-shiqi-redis-exist-pvc.yml'),
      '-f',
      f('pvc-shiqi-redis-exist-pvc.yml'),
      '-f',
      f('statefulset-redis-exist-pvc.yml'),
    );
    await h.waitFor('pods', 'shiqi', 'statefulset-redis-exist-pvc-0', podIsReady);
    const before = await h.k(
      'get',
      'pod',
      'statefulset-redis-exist-pvc-0',
      '-n',
      'shiqi',
      '-o',
      'jsonpath={.metadata.uid}',
    );
    expect(await h.k('delete', 'pod', 'statefulset-redis-exist-pvc-0', '-n', 'shiqi')).toContain(
      'pod "statefulset-redis-exist-pvc-0" deleted',
    );
    const after = await h.until('a re-created Ready pod', async () => {
      const out = await h.kubectl(
        'get',
        'pod',
        'statefulset-redis-exist-pvc-0',
        '-n',
        'shiqi',
        '-o',
        'jsonpath={.metadata.uid} {.status.conditions[?(@.type=="Ready")].status}',
      );
      const [uid, ready] = out.stdout.split(' ');
      return out.code === 0 && uid !== before && ready === 'True' ? uid : undefined;
    });
    expect(after).not.toBe(before);
    expect(row(await h.k('get', 'statefulsets', '-n', 'shiqi'), 'statefulset-redis-exist-pvc').READY).toBe(
      '1/1',
    );
  });

  it('an unbound claim keeps the pod Pending with the scheduler event kubectl describe shows', async () => {
    const h = target();
    await h.k('apply', '-f', f('pvc-shiqi-redis-exist-pvc.yml'), '-f', f('statefulset-redis-exist-pvc.yml'));
    const describe = await h.until('FailedScheduling on the pod', async () => {
      const out = await h.kubectl('describe', 'pod', 'statefulset-redis-exist-pvc-0', '-n', 'shiqi');
      return out.stdout.includes('FailedScheduling') ? out.stdout : undefined;
    });
    expect(describe).toContain('pod has unbound immediate PersistentVolumeClaims');
    expect(row(await h.k('get', 'pods', '-n', 'shiqi'), 'statefulset-redis-exist-pvc-0')).toMatchObject({
      READY: '0/1',
      STATUS: 'Pending',
    });
    expect(row(await h.k('get', 'statefulsets', '-n', 'shiqi'), 'statefulset-redis-exist-pvc').READY).toBe(
      '0/1',
    );
    // The PV arrives: the claim binds and the pod starts.
    await h.k('apply', '-f', f('pv-shiqi-redis-exist-pvc.yml'));
    await h.waitFor('pods', 'shiqi', 'statefulset-redis-exist-pvc-0', podIsReady);
  });

  it('validation errors, including strict field validation, come back as the real API server words them', async () => {
    const h = target();
    const bad = await h.kubectl('create', 'namespace', 'Shiqi_Bad');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(
      'The Namespace "Shiqi_Bad" is invalid: metadata.name: Invalid value: "Shiqi_Bad"',
    );
    await h.k('apply', '-f', f('pv-shiqi-redis.yaml'), '-f', f('pvc-shiqi-redis.yaml'));
    await h.waitFor('persistentvolumeclaims', 'shiqi', 'pvc-shiqi-redis', (o) => o.status?.phase === 'Bound');
    const immutable = await h.kubectl(
      'patch',
      'pvc',
      'pvc-shiqi-redis',
      '-n',
      'shiqi',
      '-p',
      '{"spec":{"accessModes":["ReadWriteOnce"]}}',
    );
    expect(immutable.code).not.toBe(0);
    expect(immutable.stderr).toContain(
      'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    );
    // A typo in a manifest: kubectl asks for strict field validation and the server refuses.
    const typo = join(h.tmpDir, 'pv-typo.yaml');
    (await import('node:fs')).writeFileSync(
      typo,
      (await import('node:fs'))
        .readFileSync(f('pv-shiqi-redis.yaml'), 'utf8')
        .replace('claimRef:', 'claimref:')
        .replace('name: pv-shiqi-redis', 'name: pv-typo'),
    );
    const strict = await h.kubectl('apply', '-f', typo);
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toContain(
      'PersistentVolume in version "v1" cannot be handled as a PersistentVolume: strict decoding error: unknown field "spec.claimref"',
    );
    const warned = await h.kubectl('apply', '-f', typo, '--validate=warn');
    expect(warned.stderr).toContain('Warning: unknown field "spec.claimref"');
    // The unknown field is dropped, so the PV is not pre-bound at all.
    expect(await h.k('get', 'pv', 'pv-typo', '-o', 'jsonpath={.spec.claimRef}{.spec.claimref}')).toBe('');
    const missing = await h.kubectl('get', 'pvc', 'nope', '-n', 'shiqi');
    expect(missing.stderr).toContain('Error from server (NotFound): persistentvolumeclaims "nope" not found');
  });

  it('deleting the namespace removes everything in it', async () => {
    const h = target();
    await h.k(
      'apply',
      '-f',
      f('pv-shiqi-redis-exist-pvc.yml'),
      '-f',
      f('pvc-shiqi-redis-exist-pvc.yml'),
      '-f',
      f('statefulset-redis-exist-pvc.yml'),
    );
    await h.waitFor('pods', 'shiqi', 'statefulset-redis-exist-pvc-0', podIsReady);
    expect(await h.k('delete', 'namespace', 'shiqi', '--timeout=20s')).toContain('namespace "shiqi" deleted');
    expect((await h.kubectl('get', 'namespace', 'shiqi')).stderr).toContain('namespaces "shiqi" not found');
    // The Retain PV outlives the namespace, Released.
    expect(row(await h.k('get', 'pv'), 'pv-shiqi-redis-exist-pvc').STATUS).toBe('Released');
  });
}
