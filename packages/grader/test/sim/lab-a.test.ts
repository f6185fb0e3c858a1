// Lab A (pv-claimref) against kube-sim: correct, every claimRef/claim mistake, and both ways the
// chapter teaches to recover a Released PV (claimRef null, or only uid/resourceVersion removed).
import { applyManifests, applyTarget, generateClass, loadClass } from './kube-sim.ts';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grade, loadLabById, validateLab, type RunResult } from '../../src/index.ts';
import { correctObjects, edit, gradeAll, startSim, until, verdicts, without, type SimEnv } from './helpers.ts';

const lab = loadLabById('pv-claimref');
const PASS = { 'pv-claimref': 'pass', 'pvc-bound': 'pass' };

const generated: Record<string, Record<string, string>> = {
  correct: PASS,
  'claimref-wrong-namespace': { 'pv-claimref': 'fail claimref-namespace-wrong', 'pvc-bound': 'fail claimref-namespace-wrong' },
  // The generator creates the claim before the PV: the default class provisions a volume for it.
  'missing-storageclassname': { 'pv-claimref': 'pass', 'pvc-bound': 'fail pvc-storageclass-missing' },
  'stale-claimref': { 'pv-claimref': 'pass', 'pvc-bound': 'fail pvc-stale-claimref' },
  'pv-capacity-mismatch': { 'pv-claimref': 'fail pv-attributes-wrong', 'pvc-bound': 'fail pvc-size-mismatch' },
  'pv-accessmode-mismatch': { 'pv-claimref': 'fail pv-attributes-wrong', 'pvc-bound': 'fail pvc-access-mode-mismatch' },
};

const handmade: Record<string, { objects: (ns: string) => ReturnType<typeof correctObjects>; expect: Record<string, string> }> = {
  'a-claimref-name': {
    objects: (ns) => {
      const o = correctObjects('pv-claimref', ns);
      edit(o, 'PersistentVolume', 'spec.claimRef.name', 'pvc-redis');
      return o;
    },
    expect: { 'pv-claimref': 'fail claimref-name-wrong', 'pvc-bound': 'fail claimref-name-wrong' },
  },
  'a-no-claimref': {
    // Without claimRef the PV is up for grabs; here the claim still binds it, but the PV was never reserved.
    objects: (ns) => {
      const o = correctObjects('pv-claimref', ns);
      edit(o, 'PersistentVolume', 'spec.claimRef', undefined);
      // A class of its own keeps the other students' Pending claims from taking this unreserved PV.
      edit(o, 'PersistentVolume', 'spec.storageClassName', 'manual-a');
      return without(o, 'PersistentVolumeClaim');
    },
    expect: { 'pv-claimref': 'fail claimref-missing', 'pvc-bound': 'fail pvc-missing' },
  },
  'a-pvc-asks-more': {
    objects: (ns) => {
      const o = correctObjects('pv-claimref', ns);
      edit(o, 'PersistentVolumeClaim', 'spec.resources.requests.storage', '1Gi');
      return o;
    },
    expect: { 'pv-claimref': 'pass', 'pvc-bound': 'fail pvc-size-mismatch' },
  },
  'a-quantity-forms': {
    // 67108864 bytes is 64Mi: a quantity, not a string.
    objects: (ns) => {
      const o = correctObjects('pv-claimref', ns);
      edit(o, 'PersistentVolume', 'spec.capacity.storage', '67108864');
      return o;
    },
    expect: PASS,
  },
  'a-pv-first-no-class': {
    // The PV exists first and is pre-bound: it wins over the defaulted class (as in Kubernetes).
    objects: (ns) => {
      const o = correctObjects('pv-claimref', ns);
      edit(o, 'PersistentVolumeClaim', 'spec.storageClassName', undefined);
      return o;
    },
    expect: PASS,
  },
  'a-no-pv': {
    objects: (ns) => without(correctObjects('pv-claimref', ns), 'PersistentVolume'),
    expect: { 'pv-claimref': 'fail pv-missing', 'pvc-bound': 'fail pvc-no-matching-pv' },
  },
};

let env: SimEnv;
let results: Record<string, RunResult>;
const nsOf = (m: string) => `a-${m}`;

function phase(resource: string, ns: string | undefined, name: string): string | undefined {
  return (env.sim.view.get(resource, ns, name)?.status as { phase?: string } | undefined)?.phase;
}

async function recreateClaim(ns: string, clear: 'null' | 'uid-only'): Promise<void> {
  const core = env.kc.makeApiClient(CoreV1Api);
  const pvName = `pv-${ns}-redis`;
  const pvcName = `pvc-${ns}-redis`;
  await core.deleteNamespacedPersistentVolumeClaim({ name: pvcName, namespace: ns });
  expect(await until(() => phase('persistentvolumes', undefined, pvName) === 'Released')).toBe(true);
  const [pvc] = correctObjects('pv-claimref', ns).filter((m) => m.kind === 'PersistentVolumeClaim');
  if (pvc) await applyManifests(env.sim, [pvc]);
  // Section 6.4: clear the claimRef (method one) or only its uid and resourceVersion (method two).
  const body = clear === 'null' ? { spec: { claimRef: null } } : { spec: { claimRef: { uid: null, resourceVersion: null } } };
  await core.patchPersistentVolume({ name: pvName, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
}

beforeAll(async () => {
  env = await startSim();
  // Recover the Released PVs first: a PV whose claimRef is cleared is up for grabs, and the
  // mistakes below leave claims Pending that would take it (as on a real cluster).
  for (const ns of ['a-released-null', 'a-released-uid']) await applyManifests(env.sim, correctObjects('pv-claimref', ns));
  for (const ns of ['a-released-null', 'a-released-uid']) expect(await until(() => phase('persistentvolumeclaims', ns, `pvc-${ns}-redis`) === 'Bound')).toBe(true);
  await recreateClaim('a-released-null', 'null');
  await recreateClaim('a-released-uid', 'uid-only');
  // The end state is graded: wait for the controller to bind the re-created claims.
  for (const ns of ['a-released-null', 'a-released-uid']) expect(await until(() => phase('persistentvolumeclaims', ns, `pvc-${ns}-redis`) === 'Bound')).toBe(true);

  const mistakes = Object.keys(generated);
  await loadClass(
    applyTarget(env.sim),
    generateClass({
      students: mistakes.length,
      lab: 'pv-claimref',
      namespaces: mistakes.map(nsOf),
      mistakes: mistakes.map((m) => (m === 'correct' ? null : m)) as Parameters<typeof generateClass>[0]['mistakes'],
    }),
  );
  for (const [ns, h] of Object.entries(handmade)) await applyManifests(env.sim, h.objects(ns));

  // Claim first, without storageClassName "": the default class provisions a volume for it, and
  // the pre-bound PV created afterwards stays Available.
  const claimFirst = correctObjects('pv-claimref', 'a-claim-first');
  edit(claimFirst, 'PersistentVolumeClaim', 'spec.storageClassName', undefined);
  await applyManifests(env.sim, claimFirst.filter((m) => m.kind !== 'PersistentVolume'));
  expect(await until(() => phase('persistentvolumeclaims', 'a-claim-first', 'pvc-a-claim-first-redis') === 'Bound')).toBe(true);
  await applyManifests(env.sim, claimFirst.filter((m) => m.kind === 'PersistentVolume'));

  results = await gradeAll(env, lab, [...mistakes.map(nsOf), ...Object.keys(handmade), 'a-released-null', 'a-released-uid', 'a-claim-first']);
});

afterAll(async () => {
  await env?.stop();
});

describe('lab A (pv-claimref) against kube-sim', () => {
  it('gives a correct namespace full marks with two-sided evidence', () => {
    const r = results[nsOf('correct')];
    expect(verdicts(r)).toEqual(PASS);
    expect(r?.score).toBe(100);
    const found = r?.checks.find((c) => c.id === 'pvc-bound')?.evidence.found as { pvc: { uid: string }; pv: { claimRef: { uid: string } } };
    expect(found.pv.claimRef.uid).toBe(found.pvc.uid);
  });
  for (const [m, want] of Object.entries(generated).filter(([k]) => k !== 'correct')) {
    it(`diagnoses ${m}`, () => expect(verdicts(results[nsOf(m)])).toEqual(want));
  }
  for (const [ns, h] of Object.entries(handmade)) {
    it(`diagnoses ${ns}`, () => expect(verdicts(results[ns])).toEqual(h.expect));
  }
  it('notes a claim that bound its pre-bound PV without storageClassName ""', () => {
    expect(results['a-pv-first-no-class']?.checks[1]?.message).toMatch(/note: its storageClassName is "nfs-client", not ""/);
  });

  it('diagnoses a claim made before the PV without storageClassName "": a dynamic volume was provisioned instead', () => {
    const r = results['a-claim-first'];
    expect(verdicts(r)).toEqual({ 'pv-claimref': 'pass', 'pvc-bound': 'fail pvc-storageclass-missing' });
    expect(r?.checks[1]?.message).toMatch(/is Bound to pvc-.*, expected pv-a-claim-first-redis \(a dynamically provisioned volume of class nfs-client\)/);
  });

  it('says what was expected and what was found for a wrong claimRef namespace', () => {
    const c = results[nsOf('claimref-wrong-namespace')]?.checks[0];
    expect(c?.message).toContain('claimRef.namespace is "default", expected "a-claimref-wrong-namespace"');
    expect(c?.evidence).toMatchObject({ expected: { claimRef: { namespace: 'a-claimref-wrong-namespace' } }, found: { claimRef: { namespace: 'default' } } });
  });
  it('lists each kind once per run instead of getting objects one by one', async () => {
    env.sim.requestCount = 0;
    const again = await gradeAll(env, lab, [nsOf('correct')]);
    expect(verdicts(again[nsOf('correct')])).toEqual(PASS);
    // One list of PersistentVolumes, one of the namespace's claims.
    expect(env.sim.requestCount).toBe(2);
  });

  it('object-matches checks fields without code: quantities as quantities, mismatches named by path', async () => {
    const v = validateLab({
      id: 'instructor-extra',
      version: '1',
      title: { zh: '附加', en: 'extra' },
      params: { pv: 'pv-{namespace}-redis' },
      checks: [
        {
          id: 'pv-shape',
          uses: 'object-matches',
          points: 5,
          title: { zh: 'PV', en: 'PV' },
          with: { apiVersion: 'v1', kind: 'PersistentVolume', name: '{pv}', clusterScoped: true, match: { spec: { capacity: { storage: '67108864' }, persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: '{namespace}' } } } },
        },
        {
          id: 'pvc-class',
          uses: 'object-matches',
          points: 5,
          title: { zh: 'PVC', en: 'PVC' },
          with: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: 'pvc-{namespace}-redis', match: { spec: { storageClassName: 'fast' } }, hint: 'pvc-storageclass-missing' },
        },
      ],
    });
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    const r = await grade({ lab: v.lab, namespace: nsOf('correct'), kubeConfig: env.kc, timeMultiplier: 0.25 });
    expect(verdicts(r)).toEqual({ 'pv-shape': 'pass', 'pvc-class': 'fail pvc-storageclass-missing' });
    expect(r.checks[1]?.message).toBe('PersistentVolumeClaim a-correct/pvc-a-correct-redis: spec.storageClassName is "", expected "fast"');
  });

  it('accepts both recoveries of a Released PV that section 6.4 teaches', () => {
    expect(verdicts(results['a-released-null'])).toEqual({ 'pv-claimref': 'pass', 'pvc-bound': 'pass' });
    expect(verdicts(results['a-released-uid'])).toEqual({ 'pv-claimref': 'pass', 'pvc-bound': 'pass' });
  });
});
