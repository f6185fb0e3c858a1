// Lab C (redis-not-exist-pvc, dynamic provisioning) against kube-sim.
import { applyManifests, applyTarget, generateClass, loadClass } from './kube-sim.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLabById, type Lab, type RunResult } from '../../src/index.ts';
import { correctObjects, edit, gradeAll, podsReady, startSim, until, verdicts, type SimEnv } from './helpers.ts';

const lab = loadLabById('redis-not-exist-pvc');
const STS = 'statefulset-redis-not-exist-pvc';
const ALL_PASS = { storageclass: 'pass', 'pvc-bound': 'pass', 'statefulset-ready': 'pass', 'headless-dns': 'pass', 'redis-persistence': 'pass' };

const generated: Record<string, Record<string, string>> = {
  correct: ALL_PASS,
  'servicename-mismatch': { ...ALL_PASS, 'headless-dns': 'fail service-name-mismatch' },
  // No volumeClaimTemplates at all: the claim the lab expects never exists.
  'emptydir-instead-of-claim': { ...ALL_PASS, 'pvc-bound': 'fail pvc-missing', 'statefulset-ready': 'fail data-volume-emptydir', 'redis-persistence': 'fail data-lost' },
  'readiness-never-passes': { ...ALL_PASS, 'statefulset-ready': 'fail readiness-failing', 'headless-dns': 'skipped', 'redis-persistence': 'skipped' },
  // The chapter defines no Service for this lab: a failure with a hint, not a crash.
  'no-service': { ...ALL_PASS, 'headless-dns': 'fail service-missing' },
  'service-not-headless': { ...ALL_PASS, 'headless-dns': 'fail service-not-headless' },
};

let env: SimEnv;
let results: Record<string, RunResult>;
let missingClass: RunResult | undefined;
const nsOf = (m: string) => `c-${m}`;

beforeAll(async () => {
  env = await startSim();
  const mistakes = Object.keys(generated);
  await loadClass(
    applyTarget(env.sim),
    generateClass({
      students: mistakes.length,
      lab: 'redis-not-exist-pvc',
      namespaces: mistakes.map(nsOf),
      mistakes: mistakes.map((m) => (m === 'correct' ? null : m)) as Parameters<typeof generateClass>[0]['mistakes'],
    }),
  );
  // A claim template asking for a class nobody installed (the chapter's "nfs-client-retain").
  const wrongClass = correctObjects('redis-not-exist-pvc', 'c-wrong-class');
  edit(wrongClass, 'StatefulSet', 'spec.volumeClaimTemplates.0.spec.storageClassName', 'nfs-client-retain');
  await applyManifests(env.sim, wrongClass);
  // The claim made by hand, static (storageClassName "", a pre-bound NFS PV), before the StatefulSet
  // adopts it by name: it works, but nothing was provisioned dynamically.
  const ns = 'c-static-claim';
  const claim = `pvc-${ns}-${STS}-0`;
  await applyManifests(env.sim, [
    ...correctObjects('redis-not-exist-pvc', ns),
    {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `pv-${ns}` },
      spec: { capacity: { storage: '64Mi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', nfs: { server: '192.168.110.168', path: `/nfs/${ns}` }, claimRef: { name: claim, namespace: ns } },
    },
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: claim, namespace: ns }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '64Mi' } }, storageClassName: '' } },
  ]);
  expect(await until(() => podsReady(env.sim, nsOf('correct'), STS) && podsReady(env.sim, 'c-static-claim', STS))).toBe(true);
  const instructorsLab: Lab = { ...lab, params: { ...lab.params, storageClass: 'nfs-client-retain' } };
  const [all, other] = await Promise.all([
    gradeAll(env, lab, [...mistakes.map(nsOf), 'c-wrong-class', 'c-static-claim']),
    gradeAll(env, instructorsLab, [nsOf('correct')], { disruptive: false }),
  ]);
  results = all;
  missingClass = other[nsOf('correct')];
});

afterAll(async () => {
  await env?.stop();
});

describe('lab C (redis-not-exist-pvc) against kube-sim', () => {
  it('gives a correct namespace full marks; the claim is dynamically provisioned', () => {
    const r = results[nsOf('correct')];
    expect(verdicts(r)).toEqual(ALL_PASS);
    expect(r?.score).toBe(100);
    const pvc = r?.checks.find((c) => c.id === 'pvc-bound');
    expect(pvc?.message).toMatch(/pvc-c-correct-statefulset-redis-not-exist-pvc-0 is Bound to dynamically provisioned PV .* \(provisioned by k8s-sigs.io\/nfs-subdir-external-provisioner\)/);
  });
  for (const [m, want] of Object.entries(generated).filter(([k]) => k !== 'correct')) {
    it(`diagnoses ${m}`, () => expect(verdicts(results[nsOf(m)])).toEqual(want));
  }
  it('diagnoses a claim template asking for a StorageClass other than the lab\'s', () => {
    expect(verdicts(results['c-wrong-class'])).toMatchObject({
      storageclass: 'fail claim-not-dynamic',
      'pvc-bound': 'fail claim-not-dynamic',
      'statefulset-ready': 'fail pod-not-running',
    });
  });
  it('diagnoses a claim that is Bound but was not dynamically provisioned', () => {
    expect(verdicts(results['c-static-claim'])).toEqual({ ...ALL_PASS, storageclass: 'fail claim-not-dynamic', 'pvc-bound': 'fail claim-not-dynamic' });
    expect(results['c-static-claim']?.checks[1]?.message).toMatch(/not dynamically provisioned/);
  });
  it('diagnoses a StorageClass the lab names but the cluster lacks', () => {
    expect(verdicts(missingClass)).toMatchObject({ storageclass: 'fail storageclass-missing' });
  });
});
