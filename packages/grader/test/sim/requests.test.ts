// What one disruptive grading run of a correct namespace asks of the API server, with a
// replacement pod that takes 3 s to come (as a real kubelet's takes seconds): each DNS name is
// asked once inside the pod, and the wait for the replacement is one watch, not a list every second.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MULT, until } from '@kubegrade/testkit';
import { grade, loadLabById } from '../../src/index.ts';
import { ALL_PASS_B, STS_B } from '../scenarios/index.ts';
import { applyTarget, generateClass, loadClass } from './kube-sim.ts';
import { podsReady, startSim, verdicts, type SimEnv } from './helpers.ts';

const NS = 'req-correct';
let env: SimEnv;
let counting = false;
const requests: string[] = [];

beforeAll(async () => {
  env = await startSim({
    onRequest: (r) => {
      if (counting && r.namespace === NS)
        requests.push(`${r.verb} ${r.resource}${'subresource' in r ? `/${String(r.subresource)}` : ''}`);
    },
  });
  await loadClass(
    applyTarget(env.sim),
    generateClass({ students: 1, lab: 'redis-exist-pvc', namespaces: [NS], mistakes: [null] }),
  );
  await until('the Redis pod Ready', () => podsReady(env.sim, NS, STS_B), { timeoutMs: 30_000 });
});
afterAll(async () => {
  await env?.stop();
});

describe('API requests of one grading run', () => {
  it('a correct namespace, pod re-created after 3 s: two DNS lookups, six redis-cli calls, one pod watch', async () => {
    env.sim.faults.set({ recreateDelayMs: 3000 });
    counting = true;
    const r = await grade({
      lab: loadLabById('redis-exist-pvc'),
      namespace: NS,
      kubeConfig: env.kc,
      timeMultiplier: MULT,
      disruptive: true,
    });
    counting = false;
    expect(verdicts(r)).toEqual(ALL_PASS_B);
    const count = (what: string) => requests.filter((q) => q === what).length;
    // The Service's name and the pod's name, each asked once (the tool probe's answer counts).
    expect(count('create pods/exec')).toBe(2 + 6);
    expect(count('watch pods')).toBe(1);
    expect(count('delete pods')).toBe(1);
    expect(requests.length).toBeLessThanOrEqual(20);
  });
});
