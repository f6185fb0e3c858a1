// API semantics clients depend on, over raw HTTP: watch (resume, selectors, 410 Expired,
// timeouts), pagination, Table printing, patch formats, deletion and faults.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NullRuntime, startKubeSim, type KubeObject, type KubeSim } from '../src/index.ts';
import { until } from './sim-helpers.ts';

type Json = Record<string, unknown>;

describe('kube-sim API semantics', { timeout: 30_000 }, () => {
  let sim: KubeSim;
  beforeAll(async () => {
    sim = await startKubeSim({ podReadyDelayMs: 20, watchWindow: 200 });
  });
  afterAll(async () => {
    await sim?.stop();
  });
  beforeEach(async () => {
    await sim.reset();
    await call('POST', '/api/v1/namespaces', { metadata: { name: 'shiqi' } });
  });

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(sim.url + path, {
      method,
      headers: { 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Json };
  }

  /** Open a watch and collect its events until closed. */
  function watch(path: string) {
    const events: { type: string; object: Json }[] = [];
    const ac = new AbortController();
    const closed = (async () => {
      const res = await fetch(sim.url + path, { signal: ac.signal });
      const reader = res.body!.getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return 'closed';
        buf += Buffer.from(value).toString('utf8');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buf.slice(0, nl)) as { type: string; object: Json });
          buf = buf.slice(nl + 1);
        }
      }
    })().catch((err: unknown) => (ac.signal.aborted ? 'aborted' : `error: ${String(err)}`));
    return { events, closed, stop: () => ac.abort() };
  }

  const pvc = (name: string, labels: Record<string, string> = {}) => ({
    metadata: { name, labels },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Mi' } },
      storageClassName: '',
    },
  });

  it('a watch resumed from a list resourceVersion sees later changes only, filtered by label selector', async () => {
    await call('POST', '/api/v1/namespaces/shiqi/persistentvolumeclaims', pvc('before', { app: 'x' }));
    const list = await call('GET', '/api/v1/namespaces/shiqi/persistentvolumeclaims');
    const rv = (list.body.metadata as Json).resourceVersion as string;
    const w = watch(
      `/api/v1/namespaces/shiqi/persistentvolumeclaims?watch=true&resourceVersion=${rv}&labelSelector=app%3Dx`,
    );
    await call('POST', '/api/v1/namespaces/shiqi/persistentvolumeclaims', pvc('other', { app: 'y' }));
    await call('POST', '/api/v1/namespaces/shiqi/persistentvolumeclaims', pvc('after', { app: 'x' }));
    // Relabelling out of the selector looks like a deletion to this watcher.
    await call(
      'PATCH',
      '/api/v1/namespaces/shiqi/persistentvolumeclaims/after',
      { metadata: { labels: { app: 'z' } } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    await until(
      'ADDED and DELETED of "after"',
      () => w.events.filter((e) => (e.object.metadata as Json).name === 'after').length >= 2,
    );
    w.stop();
    const seen = w.events.map((e) => `${e.type} ${(e.object.metadata as Json).name as string}`);
    expect(seen).not.toContain('ADDED before');
    expect(seen).not.toContain('ADDED other');
    expect(seen.filter((s) => s.endsWith(' after'))).toEqual(['ADDED after', 'DELETED after']);
  });

  it('a watch from a resourceVersion older than the window gets an ERROR event with 410 Expired', async () => {
    await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        call(
          'PATCH',
          '/api/v1/namespaces/shiqi',
          { metadata: { labels: { n: String(i) } } },
          { 'Content-Type': 'application/merge-patch+json' },
        ),
      ),
    );
    const w = watch('/api/v1/namespaces/shiqi/pods?watch=1&resourceVersion=2');
    expect(await w.closed).toBe('closed');
    expect(w.events).toHaveLength(1);
    expect(w.events[0]!.type).toBe('ERROR');
    expect(w.events[0]!.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    expect(String(w.events[0]!.object.message)).toMatch(/^too old resource version: 2 \(\d+\)$/);
  });

  it('a watch from a resourceVersion newer than any this server made (a previous kube-sim on the port) gets 410, so clients relist', async () => {
    const w = watch('/api/v1/namespaces/shiqi/pods?watch=1&resourceVersion=999999999');
    expect(await w.closed).toBe('closed');
    expect(w.events).toHaveLength(1);
    expect(w.events[0]!.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    expect(String(w.events[0]!.object.message)).toMatch(
      /^too large resource version: 999999999 \(current \d+\)$/,
    );
  });

  it('timeoutSeconds ends a watch cleanly; without a resourceVersion it starts with ADDED for what exists', async () => {
    await call('POST', '/api/v1/namespaces/shiqi/persistentvolumeclaims', pvc('one'));
    const w = watch('/api/v1/namespaces/shiqi/persistentvolumeclaims?watch=true&timeoutSeconds=1');
    expect(await w.closed).toBe('closed');
    expect(w.events.map((e) => e.type)).toEqual(['ADDED']);
  });

  it('pages a list with limit and continue', async () => {
    for (const n of ['a', 'b', 'c', 'd', 'e'])
      await call('POST', '/api/v1/namespaces/shiqi/persistentvolumeclaims', pvc(n));
    const names: string[] = [];
    let cont = '';
    let pages = 0;
    do {
      const page = await call(
        'GET',
        `/api/v1/namespaces/shiqi/persistentvolumeclaims?limit=2${cont ? `&continue=${cont}` : ''}`,
      );
      names.push(...(page.body.items as Json[]).map((i) => (i.metadata as Json).name as string));
      cont = ((page.body.metadata as Json).continue as string | undefined) ?? '';
      pages++;
    } while (cont);
    expect(names).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(pages).toBe(3);
  });

  it('answers as=Table with the printer columns and PartialObjectMetadata rows', async () => {
    await call('POST', '/api/v1/persistentvolumes', {
      metadata: { name: 'pv1' },
      spec: {
        capacity: { storage: '64Mi' },
        accessModes: ['ReadWriteMany', 'ReadWriteOnce'],
        nfs: { server: '1.2.3.4', path: '/x' },
      },
    });
    await until(
      'Available',
      async () =>
        ((await call('GET', '/api/v1/persistentvolumes/pv1')).body.status as Json).phase === 'Available',
    );
    const res = await call('GET', '/api/v1/persistentvolumes', undefined, {
      Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    expect(res.body.kind).toBe('Table');
    const cols = (res.body.columnDefinitions as Json[]).map((c) => c.name);
    expect(cols).toEqual([
      'Name',
      'Capacity',
      'Access Modes',
      'Reclaim Policy',
      'Status',
      'Claim',
      'StorageClass',
      'VolumeAttributesClass',
      'Reason',
      'Age',
      'VolumeMode',
    ]);
    const row = (res.body.rows as Json[])[0]!;
    expect((row.cells as unknown[]).slice(0, 8)).toEqual([
      'pv1',
      '64Mi',
      'RWO,RWX',
      'Retain',
      'Available',
      '',
      '',
      '<unset>',
    ]);
    expect(row.object).toMatchObject({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { name: 'pv1' },
    });
  });

  it('serves the one Ready node the pods run on', async () => {
    await call('POST', '/api/v1/namespaces/shiqi/pods', {
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'redis:7.4.4' }] },
    });
    const pod = await until('scheduled', async () => {
      const p = (await call('GET', '/api/v1/namespaces/shiqi/pods/p')).body;
      return (p.spec as Json).nodeName ? p : undefined;
    });
    const nodes = await call('GET', '/api/v1/nodes', undefined, {
      Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
    });
    expect((nodes.body.rows as { cells: unknown[] }[]).map((r) => r.cells.slice(0, 2))).toEqual([
      [(pod.spec as Json).nodeName, 'Ready'],
    ]);
  });

  it('strategic merge patch merges containers by name and honours $patch: delete; JSON patch tests and fails with 422', async () => {
    const pod = {
      metadata: { name: 'p' },
      spec: {
        containers: [
          { name: 'a', image: 'redis:7.4.4' },
          { name: 'b', image: 'busybox:1.36' },
        ],
      },
    };
    await call('POST', '/api/v1/namespaces/shiqi/pods', pod);
    const smp = await call(
      'PATCH',
      '/api/v1/namespaces/shiqi/pods/p',
      { spec: { containers: [{ name: 'b', image: 'busybox:1.37' }] } },
      { 'Content-Type': 'application/strategic-merge-patch+json' },
    );
    expect(smp.status).toBe(200);
    const containers = (smp.body.spec as Json).containers as Json[];
    expect(containers.map((c) => `${c.name as string}=${c.image as string}`)).toEqual([
      'a=redis:7.4.4',
      'b=busybox:1.37',
    ]);
    const jp = await call(
      'PATCH',
      '/api/v1/namespaces/shiqi/pods/p',
      [{ op: 'test', path: '/spec/nodeName', value: 'elsewhere' }],
      {
        'Content-Type': 'application/json-patch+json',
      },
    );
    expect(jp.status).toBe(422);
    const label = await call(
      'PATCH',
      '/api/v1/namespaces/shiqi/pods/p',
      [{ op: 'add', path: '/metadata/labels', value: { k: 'v' } }],
      {
        'Content-Type': 'application/json-patch+json',
      },
    );
    expect((label.body.metadata as Json).labels).toEqual({ k: 'v' });
    const forbidden = await call(
      'PATCH',
      '/api/v1/namespaces/shiqi/pods/p',
      { spec: { containers: [{ name: 'a', $patch: 'delete' }] } },
      { 'Content-Type': 'application/strategic-merge-patch+json' },
    );
    // Removing a container is a pod spec change the API refuses.
    expect(forbidden.status).toBe(422);
    expect(String(forbidden.body.message)).toContain('pod updates may not change fields other than');
  });

  it('a terminating namespace refuses new objects with 403, then disappears with its content', async () => {
    await call('POST', '/api/v1/namespaces/shiqi/persistentvolumeclaims', pvc('c1'));
    const del = await call('DELETE', '/api/v1/namespaces/shiqi');
    expect((del.body.status as Json).phase).toBe('Terminating');
    const refused = await call('POST', '/api/v1/namespaces/shiqi/persistentvolumeclaims', pvc('c2'));
    if (refused.status !== 404) {
      expect(refused.status).toBe(403);
      expect(refused.body.message).toBe(
        'persistentvolumeclaims "c2" is forbidden: unable to create new content in namespace shiqi because it is being terminated',
      );
    }
    await until('namespace gone', async () => (await call('GET', '/api/v1/namespaces/shiqi')).status === 404);
    expect((await call('GET', '/api/v1/namespaces/shiqi/persistentvolumeclaims')).body.items).toEqual([]);
  });

  it('sim.apply re-applies like kubectl apply: fields dropped from the manifest are removed', async () => {
    const sts = (volume: Record<string, unknown>, labels: Record<string, string>) => ({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'r', namespace: 'shiqi', labels },
      spec: {
        serviceName: 'r',
        selector: { matchLabels: { app: 'r' } },
        template: {
          metadata: { labels: { app: 'r' } },
          spec: {
            containers: [
              { name: 'redis', image: 'redis:7.4.4', volumeMounts: [{ name: 'data', mountPath: '/data' }] },
            ],
            volumes: [{ name: 'data', ...volume }],
          },
        },
      },
    });
    await sim.apply(sts({ emptyDir: {} }, { app: 'r', mistake: 'emptydir' }));
    const [fixed] = await sim.apply(sts({ persistentVolumeClaim: { claimName: 'pvc-r' } }, { app: 'r' }));
    const volumes = ((fixed!.spec as Json).template as { spec: { volumes: Json[] } }).spec.volumes;
    expect(volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'pvc-r' } }]);
    expect(fixed!.metadata.labels).toEqual({ app: 'r' });
    expect(fixed!.metadata.generation).toBe(2);
  });

  it('WaitForFirstConsumer: the claim waits for a pod, then is provisioned and bound', async () => {
    await sim.apply({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'nfs-wffc' },
      provisioner: 'k8s-sigs.io/nfs-subdir-external-provisioner',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
    await call('POST', '/api/v1/namespaces/shiqi/persistentvolumeclaims', {
      ...pvc('late'),
      spec: { ...pvc('late').spec, storageClassName: 'nfs-wffc' },
    });
    await until(
      'WaitForFirstConsumer event',
      async () =>
        (
          (
            await call(
              'GET',
              '/api/v1/namespaces/shiqi/events?fieldSelector=involvedObject.name%3Dlate,reason%3DWaitForFirstConsumer',
            )
          ).body.items as Json[]
        ).length === 1,
    );
    expect(
      ((await call('GET', '/api/v1/namespaces/shiqi/persistentvolumeclaims/late')).body.status as Json).phase,
    ).toBe('Pending');
    await call('POST', '/api/v1/namespaces/shiqi/pods', {
      metadata: { name: 'user' },
      spec: {
        containers: [{ name: 'c', image: 'redis:7.4.4' }],
        volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'late' } }],
      },
    });
    await until(
      'claim Bound',
      async () =>
        ((await call('GET', '/api/v1/namespaces/shiqi/persistentvolumeclaims/late')).body.status as Json)
          .phase === 'Bound',
    );
    const claim = (await call('GET', '/api/v1/namespaces/shiqi/persistentvolumeclaims/late')).body;
    expect(
      (claim.metadata as { annotations: Record<string, string> }).annotations[
        'volume.kubernetes.io/selected-node'
      ],
    ).toBe('kube-sim-node');
    await until(
      'pod Running',
      async () =>
        ((await call('GET', '/api/v1/namespaces/shiqi/pods/user')).body.status as Json).phase === 'Running',
    );
  });

  it('lists a pod that is not Ready under notReadyAddresses and as ready=false in the EndpointSlice', async () => {
    sim.faults.set({ podNeverReady: [{ namespace: 'shiqi', name: 'web-0' }] });
    await call('POST', '/api/v1/namespaces/shiqi/services', {
      metadata: { name: 'web' },
      spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 80 }] },
    });
    await call('POST', '/api/v1/namespaces/shiqi/pods', {
      metadata: { name: 'web-0', labels: { app: 'web' } },
      spec: {
        hostname: 'web-0',
        subdomain: 'web',
        containers: [{ name: 'c', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }],
      },
    });
    const ep = await until('a not-ready address', async () => {
      const subsets = (await call('GET', '/api/v1/namespaces/shiqi/endpoints/web')).body.subsets as
        Json[] | undefined;
      return subsets?.[0]?.notReadyAddresses as Json[] | undefined;
    });
    expect(ep[0]).toMatchObject({ hostname: 'web-0', targetRef: { kind: 'Pod', name: 'web-0' } });
    const slices = (
      await call(
        'GET',
        '/apis/discovery.k8s.io/v1/namespaces/shiqi/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb',
      )
    ).body.items as Json[];
    expect((slices[0]!.endpoints as Json[])[0]).toMatchObject({
      hostname: 'web-0',
      conditions: { ready: false, serving: false, terminating: false },
    });
    sim.faults.clear();
    await until('ready address', async () => {
      const subsets = (await call('GET', '/api/v1/namespaces/shiqi/endpoints/web')).body.subsets as
        Json[] | undefined;
      return (subsets?.[0]?.addresses as Json[] | undefined)?.length === 1;
    });
  });

  it('a wrong bearer token is refused with 401', async () => {
    const res = await fetch(`${sim.url}/api/v1/namespaces`, { headers: { Authorization: 'Bearer wrong' } });
    expect(res.status).toBe(401);
    const ok = await fetch(`${sim.url}/api/v1/namespaces`, {
      headers: { Authorization: `Bearer ${sim.token}` },
    });
    expect(ok.status).toBe(200);
  });

  describe('faults', () => {
    it('fails a chosen verb and resource with 500, 429 or 403 for the given number of times', async () => {
      sim.faults.set({
        fail: [
          { verb: 'list', resource: 'pods', namespace: 'shiqi', status: 500, times: 1 },
          { verb: 'get', resource: 'namespaces', status: 403 },
        ],
      });
      expect((await call('GET', '/api/v1/namespaces/shiqi/pods')).status).toBe(500);
      expect((await call('GET', '/api/v1/namespaces/shiqi/pods')).status).toBe(200);
      const denied = await call('GET', '/api/v1/namespaces/shiqi');
      expect(denied.status).toBe(403);
      expect(denied.body).toMatchObject({ kind: 'Status', reason: 'Forbidden' });
      sim.faults.set({ fail: [{ resource: 'persistentvolumeclaims', status: 429 }] });
      const limited = await call('POST', '/api/v1/namespaces/shiqi/persistentvolumeclaims', pvc('x'));
      expect(limited.status).toBe(429);
      expect(limited.body.reason).toBe('TooManyRequests');
      sim.faults.clear();
      expect((await call('GET', '/api/v1/namespaces/shiqi')).status).toBe(200);
    });

    it('adds latency to every request', async () => {
      sim.faults.set({ latencyMs: 150 });
      const start = Date.now();
      await call('GET', '/version');
      await call('GET', '/api/v1/namespaces');
      expect(Date.now() - start).toBeGreaterThanOrEqual(150);
    });

    it('drops watches mid-stream', async () => {
      sim.faults.set({ dropWatchAfterMs: 50 });
      const w = watch('/api/v1/namespaces/shiqi/pods?watch=true');
      const outcome = await w.closed;
      expect(outcome).not.toBe('aborted');
    });

    it('holds a pod unready, and releases it when cleared', async () => {
      sim.faults.set({ podNeverReady: [{ namespace: 'shiqi', name: 'p' }] });
      await call('POST', '/api/v1/namespaces/shiqi/pods', {
        metadata: { name: 'p' },
        spec: { containers: [{ name: 'c', image: 'redis:7.4.4' }] },
      });
      await until(
        'Running',
        async () =>
          ((await call('GET', '/api/v1/namespaces/shiqi/pods/p')).body.status as Json).phase === 'Running',
      );
      await until(
        'Unhealthy event',
        async () =>
          (
            (
              await call(
                'GET',
                '/api/v1/namespaces/shiqi/events?fieldSelector=involvedObject.name%3Dp,reason%3DUnhealthy',
              )
            ).body.items as Json[]
          ).length > 0,
      );
      const ready = async () =>
        (
          ((await call('GET', '/api/v1/namespaces/shiqi/pods/p')).body.status as Json).conditions as Json[]
        ).find((c) => c.type === 'Ready')?.status;
      expect(await ready()).toBe('False');
      sim.faults.clear();
      await until('Ready', async () => (await ready()) === 'True');
    });

    it('delays StatefulSet re-creation of a deleted pod', async () => {
      await sim.apply({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 's', namespace: 'shiqi' },
        spec: {
          serviceName: 's',
          selector: { matchLabels: { app: 's' } },
          template: {
            metadata: { labels: { app: 's' } },
            spec: { containers: [{ name: 'c', image: 'redis:7.4.4' }] },
          },
        },
      });
      await until('pod', async () => (await call('GET', '/api/v1/namespaces/shiqi/pods/s-0')).status === 200);
      sim.faults.set({ recreateDelayMs: 400 });
      await call('DELETE', '/api/v1/namespaces/shiqi/pods/s-0');
      await until(
        'pod gone',
        async () => (await call('GET', '/api/v1/namespaces/shiqi/pods/s-0')).status === 404,
      );
      await sim.settle();
      expect((await call('GET', '/api/v1/namespaces/shiqi/pods/s-0')).status).toBe(404);
      await until(
        'pod back',
        async () => (await call('GET', '/api/v1/namespaces/shiqi/pods/s-0')).status === 200,
      );
    });
  });
});

describe('a container the runtime cannot start', { timeout: 30_000 }, () => {
  it("crash-loops: phase Running, CrashLoopBackOff in kubectl's STATUS column, restarts counted, BackOff events", async () => {
    class ChownFails extends NullRuntime {
      override async start(_pod: KubeObject): Promise<void> {
        throw new Error("chown: changing ownership of '/data': Operation not permitted");
      }
    }
    const sim = await startKubeSim({ runtime: new ChownFails() });
    try {
      await sim.apply({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'r', namespace: 'shiqi' },
        spec: { containers: [{ name: 'redis', image: 'redis:7.4.4' }] },
      });
      const pod = await until('CrashLoopBackOff', () => {
        const p = sim.view.get('pods', 'shiqi', 'r');
        const cs = (
          p?.status?.containerStatuses as { state: { waiting?: { reason: string } } }[] | undefined
        )?.[0];
        return cs?.state.waiting?.reason === 'CrashLoopBackOff' ? p : undefined;
      });
      expect(pod.status?.phase).toBe('Running');
      expect(pod.status?.podIP).toMatch(/^10\.244\./);
      const table = (await (
        await fetch(`${sim.url}/api/v1/namespaces/shiqi/pods`, {
          headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
        })
      ).json()) as {
        rows: { cells: string[] }[];
      };
      expect(table.rows[0]!.cells.slice(0, 3)).toEqual(['r', '0/1', 'CrashLoopBackOff']);
      expect(Number(table.rows[0]!.cells[3])).toBeGreaterThanOrEqual(1);
      const events = sim.view.list('events', 'shiqi').filter((e) => e.reason === 'BackOff');
      expect(events[0]?.message).toMatch(/^Back-off restarting failed container redis in pod r_shiqi\(/);
    } finally {
      await sim.stop();
    }
  });
});
