// The chapter's part 5 verification for namespace `shiqi`, end to end: kube-sim's API server and
// controllers with the real-process runtime, driven by @kubernetes/client-node (always) and the
// real kubectl (when installed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPodRuntime,
  generateClass,
  loadClass,
  loadManifests,
  podIsReady,
  type KubeObject,
} from '../src/index.ts';
import { clientExec, kubeConfigFor } from './exec-helpers.ts';
import { KUBECTL, startHarness, until, type SimHarness } from './sim-helpers.ts';

const fixtures = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'scenarios-fixtures',
  'redis-exist-pvc',
);
const POD = 'statefulset-redis-exist-pvc-0';
let dataDir: string;
let h: SimHarness;

const isReady = (p: KubeObject | undefined) => p !== undefined && podIsReady(p);

/** Wait for a Ready pod with this name whose uid differs from `notUid`. */
function readyPod(ns: string, name: string, notUid?: string): Promise<KubeObject> {
  return until(
    `pod ${ns}/${name} Ready${notUid ? ' with a new uid' : ''}`,
    () => {
      const p = h.sim.view.get('pods', ns, name);
      return p && isReady(p) && p.metadata.uid !== notUid && !p.metadata.deletionTimestamp ? p : undefined;
    },
    30_000,
  );
}

/** Delete a pod through the API as the chapter does, and wait for its replacement. */
async function recreate(ns: string, name: string): Promise<KubeObject> {
  const old = await readyPod(ns, name);
  await kc().makeApiClient(CoreV1Api).deleteNamespacedPod({ name, namespace: ns });
  return readyPod(ns, name, old.metadata.uid);
}

beforeAll(async () => {
  // (generous: this machine's two cores are shared)
  dataDir = mkdtempSync(path.join(tmpdir(), 'kube-sim-chapter-'));
  h = await startHarness({ runtime: createPodRuntime({ dataDir }), dataDir, podReadyDelayMs: 50 });
  await loadManifests(h.sim, fixtures, 'shiqi');
  const spec = generateClass({
    students: 2,
    lab: 'redis-exist-pvc',
    namespaces: ['shiqi-ok', 'shiqi-emptydir'],
    mistakes: [null, 'emptydir-instead-of-claim'],
  });
  await loadClass(h.sim, spec);
  await loadClass(
    h.sim,
    generateClass({ students: 1, lab: 'redis-not-exist-pvc', namespaces: ['shiqi-dynamic'] }),
  );
}, 60_000);

afterAll(async () => {
  await h?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A client-node KubeConfig carrying the sim's bearer token. */
function kc() {
  const config = kubeConfigFor(h.sim.url);
  config.users[0] = { ...config.users[0]!, token: h.sim.token };
  return config;
}

describe('chapter part 5 through @kubernetes/client-node', { timeout: 60_000 }, () => {
  it('keeps testkey across deleting statefulset-redis-exist-pvc-0 (PVC on the pre-bound NFS PV)', async () => {
    await readyPod('shiqi', POD);
    expect(
      await clientExec(kc(), 'shiqi', POD, 'redis', ['redis-cli', 'SET', 'testkey', 'Hello, Redis!']),
    ).toMatchObject({ stdout: 'OK\n', exitCode: 0 });
    expect(await clientExec(kc(), 'shiqi', POD, 'redis', ['redis-cli', 'SAVE'])).toMatchObject({
      stdout: 'OK\n',
      exitCode: 0,
    });
    expect((await clientExec(kc(), 'shiqi', POD, 'redis', ['ls', '-l', '/data'])).stdout).toMatch(
      / redis redis .* dump\.rdb\n$/,
    );
    await recreate('shiqi', POD);
    expect(await clientExec(kc(), 'shiqi', POD, 'redis', ['redis-cli', 'GET', 'testkey'])).toMatchObject({
      stdout: 'Hello, Redis!\n',
      exitCode: 0,
    });
  });

  it('loses testkey when the StatefulSet mounts an emptyDir instead of the claim', async () => {
    await readyPod('shiqi-emptydir', POD);
    expect(
      (
        await clientExec(kc(), 'shiqi-emptydir', POD, 'redis', [
          'redis-cli',
          'SET',
          'testkey',
          'Hello, Redis!',
        ])
      ).stdout,
    ).toBe('OK\n');
    expect((await clientExec(kc(), 'shiqi-emptydir', POD, 'redis', ['redis-cli', 'SAVE'])).stdout).toBe(
      'OK\n',
    );
    await recreate('shiqi-emptydir', POD);
    expect(
      await clientExec(kc(), 'shiqi-emptydir', POD, 'redis', ['redis-cli', 'GET', 'testkey']),
    ).toMatchObject({ stdout: '\n', exitCode: 0 });
  });

  it('keeps data on the dynamically provisioned volume of the volumeClaimTemplates StatefulSet', async () => {
    const pod = 'statefulset-redis-not-exist-pvc-0';
    await readyPod('shiqi-dynamic', pod);
    const claim = h.sim.view.get('persistentvolumeclaims', 'shiqi-dynamic', `pvc-shiqi-dynamic-${pod}`);
    expect((claim?.status as { phase?: string } | undefined)?.phase).toBe('Bound');
    expect(
      (
        await clientExec(kc(), 'shiqi-dynamic', pod, 'redis', [
          'redis-cli',
          'SET',
          'testkey',
          'Hello, Redis Dynamic PVC!',
        ])
      ).stdout,
    ).toBe('OK\n');
    expect((await clientExec(kc(), 'shiqi-dynamic', pod, 'redis', ['redis-cli', 'SAVE'])).stdout).toBe(
      'OK\n',
    );
    await recreate('shiqi-dynamic', pod);
    expect(
      (await clientExec(kc(), 'shiqi-dynamic', pod, 'redis', ['redis-cli', 'GET', 'testkey'])).stdout,
    ).toBe('Hello, Redis Dynamic PVC!\n');
  });

  it('resolves the per-pod name only when the Service name equals serviceName', async () => {
    const ok = await readyPod('shiqi-ok', POD);
    const ip = (ok.status as { podIP: string }).podIP;
    // Not the pod's own /etc/hosts line (that always answers): the DNS name without the cluster domain.
    await until(
      'EndpointSlice hostname for the pod',
      async () =>
        (
          await clientExec(kc(), 'shiqi-ok', POD, 'redis', [
            'getent',
            'hosts',
            `${POD}.redis-exist-pvc.shiqi-ok.svc`,
          ])
        ).exitCode === 0,
    );
    expect(
      (await clientExec(kc(), 'shiqi-ok', POD, 'redis', ['getent', 'hosts', `${POD}.redis-exist-pvc`]))
        .stdout,
    ).toBe(`${ip.padEnd(15)} ${POD}.redis-exist-pvc.shiqi-ok.svc.cluster.local\n`);

    // The chapter's names: Service service-headless-redis-exist-pvc, serviceName redis-exist-pvc.
    await readyPod('shiqi', POD);
    for (const name of [`${POD}.service-headless-redis-exist-pvc`, `${POD}.redis-exist-pvc.shiqi.svc`]) {
      const r = await clientExec(kc(), 'shiqi', POD, 'redis', ['getent', 'hosts', name]);
      expect(r).toMatchObject({ exitCode: 2, stdout: '' });
    }
    // ...while the Service name itself resolves to the ready endpoint.
    const shiqiIp = (h.sim.view.get('pods', 'shiqi', POD)?.status as { podIP: string }).podIP;
    expect(
      (await clientExec(kc(), 'shiqi', POD, 'redis', ['getent', 'hosts', 'service-headless-redis-exist-pvc']))
        .stdout,
    ).toBe(`${shiqiIp.padEnd(15)} service-headless-redis-exist-pvc.shiqi.svc.cluster.local\n`);
  });

  it('refuses nslookup in the redis image as containerd does: an InternalError naming the OCI error, no exit code', async () => {
    const r = await clientExec(kc(), 'shiqi', POD, 'redis', [
      'nslookup',
      `${POD}.service-headless-redis-exist-pvc`,
    ]);
    expect(r.exitCode).toBeUndefined();
    expect(r.status).toMatchObject({ status: 'Failure', reason: 'InternalError', code: 500 });
    expect(r.status?.message).toMatch(
      /^Internal error occurred: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": /,
    );
    expect(r.status?.message).toContain(
      'OCI runtime exec failed: exec failed: unable to start container process: exec: "nslookup": executable file not found in $PATH: unknown',
    );
    expect(r.stderr).toBe('');
  });

  it('fails execs while the execFails fault is on', async () => {
    h.sim.faults.set({ execFails: [{ namespace: 'shiqi', pod: POD }] });
    try {
      await expect(clientExec(kc(), 'shiqi', POD, 'redis', ['redis-cli', 'ping'])).rejects.toThrow(/500/);
    } finally {
      h.sim.faults.clear();
    }
    expect((await clientExec(kc(), 'shiqi', POD, 'redis', ['redis-cli', 'ping'])).stdout).toBe('PONG\n');
  });
});

describe.skipIf(!KUBECTL)('chapter part 5 through the real kubectl', { timeout: 180_000 }, () => {
  it('SET, SAVE, delete pod, wait, GET', async () => {
    await readyPod('shiqi', POD);
    expect(
      (
        await h.kubectl(
          'exec',
          POD,
          '-n',
          'shiqi',
          '--',
          'redis-cli',
          'SET',
          'testkey',
          'Hello, Redis from kubectl!',
        )
      ).stdout,
    ).toBe('OK\n');
    expect((await h.kubectl('exec', POD, '-n', 'shiqi', '--', 'redis-cli', 'SAVE')).stdout).toBe('OK\n');
    const old = await readyPod('shiqi', POD);
    await h.k('delete', 'pod', POD, '-n', 'shiqi');
    await readyPod('shiqi', POD, old.metadata.uid);
    const get = await h.kubectl('exec', POD, '-n', 'shiqi', '--', 'redis-cli', 'GET', 'testkey');
    expect(get).toMatchObject({ code: 0, stdout: 'Hello, Redis from kubectl!\n' });
  });

  it('shows the chapter trap: /etc/hosts names the subdomain, nslookup is missing', async () => {
    const hosts = await h.k('exec', POD, '-n', 'shiqi', '--', 'cat', '/etc/hosts');
    expect(hosts).toMatch(
      new RegExp(
        `\\n10\\.244\\.\\d+\\.\\d+\\t${POD}\\.redis-exist-pvc\\.shiqi\\.svc\\.cluster\\.local\\t${POD}\\n$`,
      ),
    );
    const r = await h.kubectl(
      'exec',
      POD,
      '-n',
      'shiqi',
      '--',
      'nslookup',
      `${POD}.service-headless-redis-exist-pvc`,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error: Internal error occurred: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec',
    );
    expect(r.stderr).toContain('exec: "nslookup": executable file not found in $PATH: unknown');
  });

  it('reports the exec fault', async () => {
    h.sim.faults.set({ execFails: [{ namespace: 'shiqi' }] });
    try {
      const r = await h.kubectl('exec', POD, '-n', 'shiqi', '--', 'redis-cli', 'ping');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('kube-sim fault "execFails"');
    } finally {
      h.sim.faults.clear();
    }
  });
});
