import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPodRuntime, type SimPodRuntime } from '../src/runtime/index.ts';
import type { KubeObject } from '../src/runtime-contract.ts';
import { capture, MemoryView, newUid, podObject, redisContainer } from './runtime-helpers.ts';

const ns = 'shiqi';
let dataDir: string;
let view: MemoryView;
let rt: SimPodRuntime;

function pvAndClaim(pvName: string, claimName: string, nfsPath: string) {
  view.put('persistentvolumes', {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: pvName, uid: newUid() },
    spec: { nfs: { server: '192.168.110.168', path: nfsPath }, claimRef: { name: claimName, namespace: ns } },
  });
  view.put('persistentvolumeclaims', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: claimName, namespace: ns, uid: newUid() },
    spec: { volumeName: pvName, storageClassName: '' },
  });
}

function stsPod(
  volume: Record<string, unknown>,
  ip: string,
  name = 'statefulset-redis-exist-pvc-0',
): KubeObject {
  return podObject(
    ns,
    name,
    {
      hostname: name,
      subdomain: 'redis-exist-pvc',
      containers: [redisContainer('volume-shiqi-redis-exist-pvc')],
      volumes: [{ name: 'volume-shiqi-redis-exist-pvc', ...volume }],
    },
    ip,
    { app: 'redis-exist-pvc' },
  );
}

async function run(pod: KubeObject, command: string[]) {
  const c = capture();
  const r = await rt.exec(pod, 'redis', command, c.io);
  return { ...r, out: c.out(), err: c.err() };
}

beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'kube-sim-rt-'));
  view = new MemoryView();
  rt = createPodRuntime({ dataDir, view });
});
afterAll(async () => {
  await rt.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('redis pods are real redis-server processes on the claimed volume', { timeout: 30_000 }, () => {
  it('keeps SAVEd data across pod incarnations on a PVC, loses it with emptyDir', async () => {
    pvAndClaim('pv-shiqi-redis-exist-pvc', 'pvc-shiqi-redis-exist-pvc', '/nfs/shiqi-redis-exist-pvc');
    const claim = { persistentVolumeClaim: { claimName: 'pvc-shiqi-redis-exist-pvc' } };
    const first = stsPod(claim, '10.244.0.11');
    await rt.start(first);
    expect(await rt.probeReady(first)).toBe(true);
    expect(await run(first, ['redis-cli', 'SET', 'testkey', 'Hello, Redis!'])).toMatchObject({
      exitCode: 0,
      out: 'OK\n',
    });
    expect(await run(first, ['redis-cli', 'SAVE'])).toMatchObject({ exitCode: 0, out: 'OK\n' });
    const pid = rt.redisContainers(first.metadata.uid)[0]?.pid;
    await rt.stop(first, 30);
    expect(rt.pids()).not.toContain(pid);

    const second = stsPod(claim, '10.244.0.12');
    await rt.start(second);
    expect(await run(second, ['redis-cli', 'GET', 'testkey'])).toMatchObject({
      exitCode: 0,
      out: 'Hello, Redis!\n',
    });
    const ls = await run(second, ['ls', '-l', '/data']);
    expect(ls.out).toMatch(/^total \d+\n-rw-r--r-- 1 redis redis +\d+ \w{3} [ \d]\d \d\d:\d\d dump\.rdb\n$/);
    await rt.stop(second, 30);

    const ephemeral = stsPod({ emptyDir: {} }, '10.244.0.13');
    await rt.start(ephemeral);
    expect(await run(ephemeral, ['redis-cli', 'SET', 'testkey', 'gone'])).toMatchObject({ out: 'OK\n' });
    await rt.stop(ephemeral, 30);
    const again = stsPod({ emptyDir: {} }, '10.244.0.14');
    await rt.start(again);
    expect(await run(again, ['redis-cli', 'GET', 'testkey'])).toMatchObject({ exitCode: 0, out: '\n' });
    await rt.stop(again, 30);
  });

  it('saves on SIGTERM without an explicit SAVE, as the image does on pod deletion', async () => {
    pvAndClaim('pv-a', 'pvc-a', '/nfs/shared-export');
    const pod = stsPod({ persistentVolumeClaim: { claimName: 'pvc-a' } }, '10.244.0.21', 'a-0');
    await rt.start(pod);
    await run(pod, ['redis-cli', 'SET', 'k', 'v1']);
    await rt.stop(pod, 30);
    // A second PV on the same NFS server and path sees the same files.
    pvAndClaim('pv-b', 'pvc-b', '/nfs/shared-export/');
    const other = stsPod({ persistentVolumeClaim: { claimName: 'pvc-b' } }, '10.244.0.22', 'b-0');
    await rt.start(other);
    expect((await run(other, ['redis-cli', 'GET', 'k'])).out).toBe('v1\n');
    await rt.stop(other, 30);
  });
});

describe('lazy start and readiness', { timeout: 30_000 }, () => {
  it('starts the server on first use, and the probe decides Ready as redis-cli ping would', async () => {
    const pod = stsPod({ emptyDir: {} }, '10.244.2.1', 'lazy-0');
    await rt.start(pod);
    expect(rt.redisContainers(pod.metadata.uid)[0]?.running).toBe(false);
    expect(await rt.probeReady(pod)).toBe(true);
    expect((await run(pod, ['redis-cli', 'ping'])).out).toBe('PONG\n');
    expect(rt.redisContainers(pod.metadata.uid)[0]?.running).toBe(true);
    expect(await rt.probeReady(pod)).toBe(true);
    await rt.stop(pod, 2);

    const wrongPort = stsPod({ emptyDir: {} }, '10.244.2.2', 'never-ready-0');
    (wrongPort.spec as { containers: { readinessProbe: unknown }[] }).containers[0]!.readinessProbe = {
      exec: { command: ['redis-cli', '-p', '6380', 'ping'] },
    };
    await rt.start(wrongPort);
    expect(await rt.probeReady(wrongPort)).toBe(false);
    await run(wrongPort, ['redis-cli', 'ping']);
    expect(await rt.probeReady(wrongPort)).toBe(false);
    await rt.stop(wrongPort, 2);
  });

  it('reports a server that cannot start (bad config) at start, so the kubelet can show it', async () => {
    const fresh = createPodRuntime({ dataDir, view });
    try {
      const bad = stsPod({ emptyDir: {} }, '10.244.2.3', 'bad-config-0');
      (bad.spec as { containers: { args?: string[] }[] }).containers[0]!.args = ['--appendonly', 'maybe'];
      await expect(fresh.start(bad)).rejects.toThrow(/container redis: redis-server exited with code 1/);
      expect(await fresh.probeReady(bad)).toBe(false);
      const good = stsPod({ emptyDir: {} }, '10.244.2.4', 'good-0');
      (good.spec as { containers: { args?: string[] }[] }).containers[0]!.args = ['--appendonly', 'yes'];
      await fresh.start(good);
      expect(fresh.redisContainers(good.metadata.uid)[0]?.running).toBe(true);
    } finally {
      await fresh.close();
    }
  });
});

describe('commands inside a redis container', { timeout: 30_000 }, () => {
  let pod: KubeObject;
  beforeAll(async () => {
    pod = stsPod({ emptyDir: {} }, '10.244.1.5');
    view.put('pods', pod);
    await rt.start(pod);
  });
  afterAll(() => rt.stop(pod, 2));

  it('refuses nslookup with the OCI runtime message and exit code 126', async () => {
    expect(await run(pod, ['nslookup', 'redis-exist-pvc'])).toMatchObject({
      exitCode: 126,
      startError:
        'OCI runtime exec failed: exec failed: unable to start container process: exec: "nslookup": executable file not found in $PATH: unknown',
    });
  });

  it('writes /etc/hosts as the kubelet does, with the subdomain FQDN', async () => {
    const r = await run(pod, ['cat', '/etc/hosts']);
    expect(r.out).toContain('# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n');
    expect(r.out).toContain(
      '10.244.1.5\tstatefulset-redis-exist-pvc-0.redis-exist-pvc.shiqi.svc.cluster.local\tstatefulset-redis-exist-pvc-0\n',
    );
    expect((await run(pod, ['hostname'])).out).toBe('statefulset-redis-exist-pvc-0\n');
  });

  it('resolves the headless per-pod name only when a headless Service of that name selects the pod', async () => {
    const fqdnNoHosts = 'statefulset-redis-exist-pvc-0.redis-exist-pvc.shiqi.svc';
    // The chapter's Service name does not match serviceName: no per-pod record.
    view.put('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'service-headless-redis-exist-pvc', namespace: ns, uid: newUid() },
      spec: { clusterIP: 'None', selector: { app: 'redis-exist-pvc' } },
    });
    let r = await run(pod, ['getent', 'hosts', fqdnNoHosts]);
    expect(r).toMatchObject({ exitCode: 2, out: '' });
    r = await run(pod, ['getent', 'hosts', 'statefulset-redis-exist-pvc-0.service-headless-redis-exist-pvc']);
    expect(r.exitCode).toBe(2);
    // The Service itself resolves to the ready endpoint through the search path.
    r = await run(pod, ['getent', 'hosts', 'service-headless-redis-exist-pvc']);
    expect(r).toMatchObject({
      exitCode: 0,
      out: '10.244.1.5      service-headless-redis-exist-pvc.shiqi.svc.cluster.local\n',
    });
    // With the matching headless Service the per-pod record exists.
    view.put('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'redis-exist-pvc', namespace: ns, uid: newUid() },
      spec: { clusterIP: 'None', selector: { app: 'redis-exist-pvc' } },
    });
    r = await run(pod, ['getent', 'hosts', fqdnNoHosts]);
    expect(r).toMatchObject({ exitCode: 0, out: `10.244.1.5      ${fqdnNoHosts}.cluster.local\n` });
    // /etc/hosts answers for the pod's own FQDN whatever the Services say (the trap students fall into).
    r = await run(pod, [
      'getent',
      'hosts',
      'statefulset-redis-exist-pvc-0.redis-exist-pvc.shiqi.svc.cluster.local',
    ]);
    expect(r.out).toBe(
      '10.244.1.5      statefulset-redis-exist-pvc-0.redis-exist-pvc.shiqi.svc.cluster.local statefulset-redis-exist-pvc-0\n',
    );
  });

  it('runs sh -c with quoting and maps redis-cli -h to the pod resolved by DNS', async () => {
    let r = await run(pod, [
      'sh',
      '-c',
      `redis-cli -h statefulset-redis-exist-pvc-0.redis-exist-pvc -p 6379 SET greeting "Hello, Redis!" && redis-cli GET greeting`,
    ]);
    expect(r).toMatchObject({ exitCode: 0, out: 'OK\nHello, Redis!\n' });
    r = await run(pod, ['redis-cli', '-h', 'nowhere', 'ping']);
    expect(r).toMatchObject({
      exitCode: 1,
      err: 'Could not connect to Redis at nowhere:6379: Name or service not known\n',
    });
    r = await run(pod, ['sh', '-c', 'nslookup x']);
    expect(r).toMatchObject({ exitCode: 127, err: 'sh: 1: nslookup: not found\n' });
  });

  it('gives kubectl exec -it ... -- bash a terminal: prompt, echo, and an interactive redis-cli', async () => {
    const { PassThrough } = await import('node:stream');
    const stdin = new PassThrough();
    const c = capture();
    const done = rt.execTty(pod, 'redis', ['/bin/bash'], { ...c.io, stdin }, undefined, true);
    stdin.write('hostnamx\x7fe\r');
    stdin.write('redis-cli\rSET testkey "Hello, Redis!"\rGET testkey\rGET nothing\rquit\r');
    stdin.write('nslookup x\rexit 3\r');
    expect(await done).toEqual({ exitCode: 3 });
    const p = 'root@statefulset-redis-exist-pvc-0:/data# ';
    const r = '127.0.0.1:6379> ';
    expect(c.out()).toBe(
      `${p}hostnamx\b \be\r\nstatefulset-redis-exist-pvc-0\r\n` +
        `${p}redis-cli\r\n${r}SET testkey "Hello, Redis!"\r\nOK\r\n${r}GET testkey\r\n"Hello, Redis!"\r\n${r}GET nothing\r\n(nil)\r\n${r}quit\r\n` +
        `${p}nslookup x\r\n${p}exit 3\r\n`,
    );
    expect(c.err()).toBe('bash: nslookup: command not found\r\n');
  });

  it('runs nslookup in a busybox pod against cluster DNS', async () => {
    const bb = podObject(
      ns,
      'dns-debug',
      { containers: [{ name: 'bb', image: 'busybox:1.36' }] },
      '10.244.1.9',
    );
    await rt.start(bb);
    const c = capture();
    const r = await rt.exec(bb, 'bb', ['nslookup', 'redis-exist-pvc'], c.io);
    expect(r.exitCode).toBe(0);
    expect(c.out()).toBe(
      'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tredis-exist-pvc.shiqi.svc.cluster.local\nAddress: 10.244.1.5\n\n',
    );
    const miss = capture();
    expect((await rt.exec(bb, 'bb', ['nslookup', 'nope'], miss.io)).exitCode).toBe(1);
    expect(miss.out()).toContain("** server can't find nope: NXDOMAIN");
    await rt.stop(bb, 2);
  });
});
