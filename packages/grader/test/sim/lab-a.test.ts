// Lab A (pv-claimref) against kube-sim: correct, every claimRef/claim mistake, and both ways the
// chapter teaches to recover a Released PV (claimRef null, or only uid/resourceVersion removed).
// The namespaces are test/scenarios/lab-a.ts, built through the Kubernetes API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grade, loadLabById, validateLab, type RunResult } from '../../src/index.ts';
import { scenariosOf } from '../scenarios/index.ts';
import { buildAndGrade, gradeAll, startSim, verdicts, type SimEnv } from './helpers.ts';

const lab = loadLabById('pv-claimref');
const PASS = { 'pv-claimref': 'pass', 'pvc-bound': 'pass' };
const scenarios = scenariosOf('pv-claimref');

let env: SimEnv;
let results: Record<string, RunResult>;
const nsOf = (m: string) => `a-${m}`;

beforeAll(async () => {
  env = await startSim();
  results = await buildAndGrade(env, scenarios);
});

afterAll(async () => {
  await env?.stop();
});

describe('lab A (pv-claimref) against kube-sim', () => {
  it('gives a correct namespace full marks with two-sided evidence', () => {
    const r = results[nsOf('correct')];
    expect(verdicts(r)).toEqual(PASS);
    expect(r?.score).toBe(100);
    const found = r?.checks.find((c) => c.id === 'pvc-bound')?.evidence.found as {
      pvc: { uid: string };
      pv: { claimRef: { uid: string } };
    };
    expect(found.pv.claimRef.uid).toBe(found.pvc.uid);
  });
  for (const s of scenarios) {
    it(`diagnoses ${s.namespace}: ${s.title}`, () =>
      expect(verdicts(results[s.namespace])).toEqual(s.expect));
  }
  it('notes a claim that bound its pre-bound PV without storageClassName ""', () => {
    expect(results['a-pv-first-no-class']?.checks[1]?.message).toMatch(
      /note: its storageClassName is "nfs-client", not ""/,
    );
  });

  it('diagnoses a claim made before the PV without storageClassName "": a dynamic volume was provisioned instead', () => {
    const r = results['a-claim-first'];
    expect(verdicts(r)).toEqual({ 'pv-claimref': 'pass', 'pvc-bound': 'fail pvc-storageclass-missing' });
    expect(r?.checks[1]?.message).toMatch(
      /is Bound to pvc-.*, expected pv-a-claim-first-redis \(a dynamically provisioned volume of class nfs-client\)/,
    );
  });

  it('says what was expected and what was found for a wrong claimRef namespace', () => {
    const c = results[nsOf('claimref-wrong-namespace')]?.checks[0];
    expect(c?.message).toContain('claimRef.namespace is "default", expected "a-claimref-wrong-namespace"');
    expect(c?.evidence).toMatchObject({
      expected: { claimRef: { namespace: 'a-claimref-wrong-namespace' } },
      found: { claimRef: { namespace: 'default' } },
    });
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
          with: {
            apiVersion: 'v1',
            kind: 'PersistentVolume',
            name: '{pv}',
            clusterScoped: true,
            match: {
              spec: {
                capacity: { storage: '67108864' },
                persistentVolumeReclaimPolicy: 'Retain',
                claimRef: { namespace: '{namespace}' },
              },
            },
          },
        },
        {
          id: 'pvc-class',
          uses: 'object-matches',
          points: 5,
          title: { zh: 'PVC', en: 'PVC' },
          with: {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            name: 'pvc-{namespace}-redis',
            match: { spec: { storageClassName: 'fast' } },
            hint: 'pvc-storageclass-missing',
          },
        },
      ],
    });
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    const r = await grade({
      lab: v.lab,
      namespace: nsOf('correct'),
      kubeConfig: env.kc,
      timeMultiplier: 0.25,
    });
    expect(verdicts(r)).toEqual({ 'pv-shape': 'pass', 'pvc-class': 'fail pvc-storageclass-missing' });
    expect(r.checks[1]?.message).toBe(
      'PersistentVolumeClaim a-correct/pvc-a-correct-redis: spec.storageClassName is "", expected "fast"',
    );
  });

  it('says a freed PV was taken by another namespace (shared cluster), on both sides', () => {
    expect(results['a-shared-victim']?.checks.find((c) => c.id === 'pvc-bound')?.message).toContain(
      'was taken by claim a-shared-thief/pvc-a-shared-thief-redis',
    );
    expect(results['a-shared-thief']?.checks.find((c) => c.id === 'pvc-bound')?.message).toContain(
      'is Bound to pv-a-shared-victim-redis, expected pv-a-shared-thief-redis',
    );
    expect(results['a-shared-victim']?.checks[0]?.hint?.zh).toContain('claimRef: null');
  });

  it('accepts both recoveries of a Released PV that section 6.4 teaches', () => {
    expect(verdicts(results['a-released-null'])).toEqual({ 'pv-claimref': 'pass', 'pvc-bound': 'pass' });
    expect(verdicts(results['a-released-uid'])).toEqual({ 'pv-claimref': 'pass', 'pvc-bound': 'pass' });
  });
});
