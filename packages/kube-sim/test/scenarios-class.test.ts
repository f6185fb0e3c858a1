// A whole class in kube-sim: 500 generated students load, the correct ones turn Ready, their
// mistakes show up as the cluster would show them, and stopping kube-sim leaves no redis-server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPodRuntime,
  generateClass,
  loadClass,
  startKubeSim,
  type ClassSpec,
  type KubeObject,
  type KubeSim,
  type SimPodRuntime,
} from '../src/index.ts';
import { clientExec, kubeConfigFor } from './exec-helpers.ts';
import { redisServersUnder } from './runtime-helpers.ts';
import { until } from './sim-helpers.ts';

const POD = 'statefulset-redis-exist-pvc-0';
let dataDir: string;
let sim: KubeSim;
let runtime: SimPodRuntime;
let spec: ClassSpec;

const conditionTrue = (o: KubeObject | undefined, type: string) =>
  ((o?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some(
    (c) => c.type === type && c.status === 'True',
  );
const phase = (o: KubeObject | undefined) => (o?.status as { phase?: string } | undefined)?.phase;

function kc() {
  const config = kubeConfigFor(sim.url);
  config.users[0] = { ...config.users[0]!, token: sim.token };
  return config;
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'kube-sim-class-'));
  runtime = createPodRuntime({ dataDir });
  sim = await startKubeSim({ runtime, dataDir, podReadyDelayMs: 10 });
  spec = generateClass({ students: 500, lab: 'redis-exist-pvc', seed: 11, mistakes: { rate: 0.3 } });
  await loadClass(sim, spec);
}, 120_000);

afterAll(async () => {
  await sim?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a generated class of 500 students', { timeout: 120_000 }, () => {
  it('brings every correct student to Ready and shows each mistake as a cluster would', async () => {
    const correct = spec.students.filter((s) => s.mistake === null);
    await until(
      'every correct student pod Ready',
      () => correct.every((s) => conditionTrue(sim.view.get('pods', s.namespace, POD), 'Ready')),
      90_000,
    );
    const first = (m: string) => spec.students.find((s) => s.mistake === m)!.namespace;
    // claimRef to the wrong namespace: the PV stays Available and the claim Pending.
    const wrongNs = first('claimref-wrong-namespace');
    await until(
      'claim Pending, PV Available',
      () =>
        phase(sim.view.get('persistentvolumeclaims', wrongNs, `pvc-${wrongNs}-redis-exist-pvc`)) ===
          'Pending' &&
        phase(sim.view.get('persistentvolumes', undefined, `pv-${wrongNs}-redis-exist-pvc`)) === 'Available',
    );
    // No storageClassName: the default class provisions a new PV; the pre-bound one stays Available.
    const noClass = first('missing-storageclassname');
    const claim = await until('dynamic claim Bound', () => {
      const c = sim.view.get('persistentvolumeclaims', noClass, `pvc-${noClass}-redis-exist-pvc`);
      return phase(c) === 'Bound' ? c : undefined;
    });
    expect((claim.spec as { storageClassName?: string; volumeName?: string }).storageClassName).toBe(
      'nfs-client',
    );
    expect((claim.spec as { volumeName?: string }).volumeName).not.toBe(`pv-${noClass}-redis-exist-pvc`);
    await until(
      'pre-bound PV Available',
      () =>
        phase(sim.view.get('persistentvolumes', undefined, `pv-${noClass}-redis-exist-pvc`)) === 'Available',
    );
    // A stale claimRef uid: the Retain PV is Released and the re-created claim Pending.
    const stale = first('stale-claimref');
    await until(
      'PV Released, claim Pending',
      () =>
        phase(sim.view.get('persistentvolumes', undefined, `pv-${stale}-redis-exist-pvc`)) === 'Released' &&
        phase(sim.view.get('persistentvolumeclaims', stale, `pvc-${stale}-redis-exist-pvc`)) === 'Pending',
    );
    // A PV too small or without the claim's access mode: the pre-bound claim stays Pending.
    for (const m of ['pv-capacity-mismatch', 'pv-accessmode-mismatch']) {
      const ns = first(m);
      await until(
        `${m}: claim Pending`,
        () => phase(sim.view.get('persistentvolumeclaims', ns, `pvc-${ns}-redis-exist-pvc`)) === 'Pending',
      );
      expect(
        (
          sim.view.get('persistentvolumeclaims', ns, `pvc-${ns}-redis-exist-pvc`)?.spec as {
            volumeName?: string;
          }
        ).volumeName ?? '',
      ).toBe('');
    }
    // A readiness probe that never passes: Running, never Ready.
    const neverReady = first('readiness-never-passes');
    await until('pod Running', () => phase(sim.view.get('pods', neverReady, POD)) === 'Running');
    await new Promise((r) => setTimeout(r, 300));
    expect(conditionTrue(sim.view.get('pods', neverReady, POD), 'Ready')).toBe(false);
  });

  it('starts Redis processes only for pods that are used, and none survive stopping kube-sim', async () => {
    const used = spec.students.filter((s) => s.mistake === null).slice(0, 3);
    for (const s of used)
      expect(
        (await clientExec(kc(), s.namespace, POD, 'redis', ['redis-cli', 'SET', 'k', s.namespace])).stdout,
      ).toBe('OK\n');
    expect(redisServersUnder(dataDir)).toHaveLength(3);
    expect(runtime.pids().sort()).toEqual(redisServersUnder(dataDir).sort());
    await sim.stop();
    expect(redisServersUnder(dataDir)).toEqual([]);
  });
});
