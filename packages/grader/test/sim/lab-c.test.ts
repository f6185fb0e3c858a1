// Lab C (redis-not-exist-pvc, dynamic provisioning) against kube-sim. The namespaces are
// test/scenarios/lab-c.ts, built through the Kubernetes API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/index.ts';
import { ALL_PASS_C as ALL_PASS, scenariosOf } from '../scenarios/index.ts';
import { buildAndGrade, startSim, verdicts, type SimEnv } from './helpers.ts';

const scenarios = scenariosOf('redis-not-exist-pvc');

let env: SimEnv;
let results: Record<string, RunResult>;
const nsOf = (m: string) => `c-${m}`;

beforeAll(async () => {
  env = await startSim();
  results = await buildAndGrade(env, scenarios);
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
    expect(pvc?.message).toMatch(
      /pvc-c-correct-statefulset-redis-not-exist-pvc-0 is Bound to dynamically provisioned PV .* \(provisioned by k8s-sigs.io\/nfs-subdir-external-provisioner\)/,
    );
  });
  for (const s of scenarios) {
    it(`diagnoses ${s.namespace}: ${s.title}`, () =>
      expect(verdicts(results[s.namespace])).toEqual(s.expect));
  }
  it("diagnoses a claim template asking for a StorageClass other than the lab's", () => {
    expect(verdicts(results['c-wrong-class'])).toMatchObject({
      storageclass: 'fail claim-not-dynamic',
      'pvc-bound': 'fail claim-not-dynamic',
      'statefulset-ready': 'fail pod-not-running',
    });
  });
  it('diagnoses a claim that is Bound but was not dynamically provisioned', () => {
    expect(verdicts(results['c-static-claim'])).toEqual({
      ...ALL_PASS,
      storageclass: 'fail claim-not-dynamic',
      'pvc-bound': 'fail claim-not-dynamic',
    });
    expect(results['c-static-claim']?.checks[1]?.message).toMatch(/not dynamically provisioned/);
  });
  it('blames the course environment, by name, when the provisioner did not act', () => {
    const r = results['c-env-no-provisioner'];
    expect(r?.status).toBe('error');
    expect(r?.checks.find((c) => c.id === 'pvc-bound')?.message).toMatch(
      /no provisioner acted on it .*example\.com\/not-running.* is not running; the course environment's fault/,
    );
    expect(r?.checks.find((c) => c.id === 'statefulset-ready')?.message).toMatch(/never acted on it/);
    expect(results['c-env-other-provisioner']?.checks.find((c) => c.id === 'storageclass')?.message).toMatch(
      /uses provisioner example\.com\/other, but the lab expects k8s-sigs\.io\/nfs-subdir-external-provisioner/,
    );
  });
  it('diagnoses a StorageClass the lab names but the cluster lacks', () => {
    expect(verdicts(results['c-lab-class-missing'])).toMatchObject({
      storageclass: 'fail storageclass-missing',
    });
  });
});
