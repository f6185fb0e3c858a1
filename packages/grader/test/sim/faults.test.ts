// Faults injected in kube-sim: the grader answers `error` (never the student's fault) or the right
// `fail`, never crashes and never passes what it could not see.
import { applyTarget, generateClass, loadClass } from './kube-sim.ts';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { grade, loadLabById, type Lab } from '../../src/index.ts';
import { MULT, until } from '@kubegrade/testkit';
import { correctObjects, podsReady, startSim, verdicts, type SimEnv } from './helpers.ts';

const lab = loadLabById('redis-exist-pvc');
const STS = 'statefulset-redis-exist-pvc';
const NS = ['f-403', 'f-500', 'f-slow', 'f-exec', 'f-gone', 'f-unready', 'f-pull'];
let env: SimEnv;
/** Called on every pod delete the grader sends (the fault below needs that moment). */
let onPodDelete: ((namespace: string | undefined) => void) | undefined;

beforeAll(async () => {
  env = await startSim({
    onRequest: (r) => r.verb === 'delete' && r.resource === 'pods' && onPodDelete?.(r.namespace),
  });
  await loadClass(
    applyTarget(env.sim),
    generateClass({ students: NS.length, lab: 'redis-exist-pvc', namespaces: NS, mistakes: [null] }),
  );
  await until("every namespace's Redis pod Ready", () => NS.every((ns) => podsReady(env.sim, ns, STS)), {
    timeoutMs: 30_000,
  });
});
afterEach(() => {
  env.sim.faults.clear();
  onPodDelete = undefined;
});
afterAll(async () => {
  await env?.stop();
});

const run = (namespace: string, l: Lab = lab, kubeConfig: KubeConfig = env.kc) =>
  grade({ lab: l, namespace, kubeConfig, timeMultiplier: MULT });

describe('faults', () => {
  it('API unreachable: every check is error, the run is error, the score counts nothing against the student', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'down', server: 'http://127.0.0.1:9', skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'c', cluster: 'down', user: 'u' }],
      currentContext: 'c',
    });
    const r = await run('f-403', lab, kc);
    expect(r.checks.map((c) => c.status)).toEqual(['error', 'error', 'error', 'error', 'error']);
    expect(r.status).toBe('error');
    expect(r.checks[0]?.message).toMatch(/cannot reach the API server/);
  });

  it('403 on pods: the pod checks are error naming the permission, the storage checks still pass', async () => {
    env.sim.faults.set({ fail: [{ resource: 'pods', namespace: 'f-403', status: 403 }] });
    const r = await run('f-403');
    expect(verdicts(r)).toEqual({
      'pv-claimref': 'pass',
      'pvc-bound': 'pass',
      'statefulset-ready': 'error',
      'headless-dns': 'error',
      'redis-persistence': 'error',
    });
    expect(r.checks.find((c) => c.id === 'statefulset-ready')?.message).toMatch(/forbidden \(403\)/);
    expect(r.status).toBe('error');
  });

  it('5xx and throttling are errors, not failures', async () => {
    env.sim.faults.set({
      fail: [
        { resource: 'persistentvolumeclaims', namespace: 'f-500', status: 500 },
        { resource: 'statefulsets', namespace: 'f-500', status: 429 },
      ],
    });
    const r = await run('f-500');
    expect(verdicts(r)).toMatchObject({
      'pv-claimref': 'pass',
      'pvc-bound': 'error',
      'statefulset-ready': 'error',
      'headless-dns': 'error',
    });
    expect(r.checks.find((c) => c.id === 'pvc-bound')?.message).toMatch(/failed \(500\)/);
    expect(r.checks.find((c) => c.id === 'statefulset-ready')?.message).toMatch(/throttling/);
  });

  it('an API slower than the request deadline gives error (timeout), not a verdict', async () => {
    env.sim.faults.set({ latencyMs: 8000 });
    const r = await grade({
      lab,
      namespace: 'f-slow',
      kubeConfig: env.kc,
      timeMultiplier: 0.1,
      only: ['pv-claimref'],
    });
    expect(r.checks[0]?.status).toBe('error');
    expect(r.checks[0]?.message).toMatch(/no answer from the API server in time|deadline/);
  });

  it('a failing exec is error: DNS and persistence are not judged on it', async () => {
    env.sim.faults.set({ execFails: [{ namespace: 'f-exec' }] });
    const r = await run('f-exec');
    expect(verdicts(r)).toMatchObject({
      'statefulset-ready': 'pass',
      'headless-dns': 'error',
      'redis-persistence': 'error',
    });
  });

  it('a pod that is never re-created after the delete is error (the controller did not act), within the deadline', async () => {
    env.sim.faults.set({ recreateDelayMs: 600_000 });
    const quick: Lab = {
      ...lab,
      checks: lab.checks.map((c) =>
        c.id === 'redis-persistence' ? { ...c, with: { ...c.with, recreateSeconds: 8 } } : c,
      ),
    };
    const r = await grade({
      lab: quick,
      namespace: 'f-gone',
      kubeConfig: env.kc,
      timeMultiplier: MULT,
      only: ['redis-persistence'],
    });
    const c = r.checks[0];
    expect(c?.status).toBe('error');
    expect(c?.message).toMatch(/no replacement for pod statefulset-redis-exist-pvc-0 appeared/);
    expect(c?.hint?.key).toBe('pod-not-recreated');
  });

  it("a replacement pod whose (unchanged, correct) image cannot be pulled is the environment's error, named", async () => {
    const quick: Lab = {
      ...lab,
      checks: lab.checks.map((c) =>
        c.id === 'redis-persistence' ? { ...c, with: { ...c.with, recreateSeconds: 8 } } : c,
      ),
    };
    // A registry outage from the moment the grader deletes the pod.
    onPodDelete = (ns) => {
      if (ns === 'f-pull')
        env.sim.faults.set({ imagePullFails: [{ namespace: 'f-pull', name: `${STS}-0` }] });
    };
    const r = await grade({
      lab: quick,
      namespace: 'f-pull',
      kubeConfig: env.kc,
      timeMultiplier: MULT,
      only: ['redis-persistence'],
    });
    const c = r.checks[0];
    expect(c?.status).toBe('error');
    expect(c?.hint?.key).toBe('env-pod-not-ready');
    expect(c?.message).toMatch(/cannot pull image redis:7\.4\.4 \(ImagePullBackOff/);
    expect(c?.message).toMatch(/course environment/);
    expect(r.status).toBe('error');
  });

  it("a new pod whose image is the lab's but cannot be pulled is the environment's error, not the student's", async () => {
    env.sim.faults.set({ imagePullFails: [{ namespace: 'f-pull-new', name: `${STS}-0` }] });
    await env.sim.apply(correctObjects('redis-exist-pvc', 'f-pull-new'));
    const r = await grade({
      lab,
      namespace: 'f-pull-new',
      kubeConfig: env.kc,
      timeMultiplier: MULT,
      only: ['statefulset-ready'],
    });
    expect(verdicts(r)).toEqual({ 'statefulset-ready': 'error env-pod-not-ready' });
    expect(r.checks[0]?.message).toMatch(/cannot pull image redis:7\.4\.4 .*the image is the lab's/);
  });

  it('a replacement pod that never turns Ready is the right fail, with its state as evidence', async () => {
    const quick: Lab = {
      ...lab,
      checks: lab.checks.map((c) =>
        c.id === 'redis-persistence' ? { ...c, with: { ...c.with, recreateSeconds: 8 } } : c,
      ),
    };
    // Hold the next incarnation unready from the moment the grader deletes the current pod.
    onPodDelete = (ns) => {
      if (ns === 'f-unready')
        env.sim.faults.set({ podNeverReady: [{ namespace: 'f-unready', name: `${STS}-0` }] });
    };
    const r = await grade({
      lab: quick,
      namespace: 'f-unready',
      kubeConfig: env.kc,
      timeMultiplier: MULT,
      only: ['redis-persistence'],
    });
    const c = r.checks[0];
    expect(c?.status).toBe('fail');
    expect(c?.hint?.key).toBe('pod-not-recreated');
    expect(c?.evidence).toMatchObject({ after: { exists: true, ready: false } });
    expect(c?.message).toMatch(/readiness probe of redis is failing; .*cannot tell/);
  });
});
