// Lab B (redis-exist-pvc) against kube-sim: a correct namespace scores full marks, every mistake
// (one per namespace) gets the right status and hint on every check, and the chapter's own
// manifests are graded with the serviceName mismatch found and explained.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { applyManifests, applyTarget, generateClass, loadClass } from './kube-sim.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grade, loadLabById, type Lab, type RunResult } from '../../src/index.ts';
import { execInPod } from '../../src/kube/exec.ts';
import { kubegrade } from '../cli-helper.ts';
import { correctObjects, edit, gradeAll, MULT, podsReady, startSim, until, verdicts, type SimEnv } from './helpers.ts';

const lab = loadLabById('redis-exist-pvc');
const STS = 'statefulset-redis-exist-pvc';
const ALL_PASS = { 'pv-claimref': 'pass', 'pvc-bound': 'pass', 'statefulset-ready': 'pass', 'headless-dns': 'pass', 'redis-persistence': 'pass' };
const NOT_BOUND = { 'statefulset-ready': 'fail pod-not-running', 'headless-dns': 'skipped', 'redis-persistence': 'skipped' };

/** Generated mistakes (kube-sim's scenario generator) and what each check must say. */
const generated: Record<string, Record<string, string>> = {
  correct: ALL_PASS,
  'claimref-wrong-namespace': { 'pv-claimref': 'fail claimref-namespace-wrong', 'pvc-bound': 'fail claimref-namespace-wrong', ...NOT_BOUND },
  // The generator creates the claim before the PV: it gets a dynamically provisioned volume, which
  // Redis then uses happily; only the claim check says what went wrong.
  'missing-storageclassname': { ...ALL_PASS, 'pvc-bound': 'fail pvc-storageclass-missing' },
  'servicename-mismatch': { ...ALL_PASS, 'headless-dns': 'fail service-name-mismatch' },
  'emptydir-instead-of-claim': { ...ALL_PASS, 'statefulset-ready': 'fail data-volume-emptydir', 'redis-persistence': 'fail data-lost' },
  'readiness-never-passes': { ...ALL_PASS, 'statefulset-ready': 'fail readiness-failing', 'headless-dns': 'skipped', 'redis-persistence': 'skipped' },
  'no-service': { ...ALL_PASS, 'headless-dns': 'fail service-missing' },
  'stale-claimref': { 'pv-claimref': 'pass', 'pvc-bound': 'fail pvc-stale-claimref', ...NOT_BOUND },
  'pv-capacity-mismatch': { 'pv-claimref': 'fail pv-attributes-wrong', 'pvc-bound': 'fail pvc-size-mismatch', ...NOT_BOUND },
  'pv-accessmode-mismatch': { 'pv-claimref': 'fail pv-attributes-wrong', 'pvc-bound': 'fail pvc-access-mode-mismatch', ...NOT_BOUND },
  'service-not-headless': { ...ALL_PASS, 'headless-dns': 'fail service-not-headless' },
  'half-done': { 'pv-claimref': 'pass', 'pvc-bound': 'pass', 'statefulset-ready': 'fail statefulset-missing', 'headless-dns': 'fail statefulset-missing', 'redis-persistence': 'skipped' },
};

/** Hand-made mistakes the generator does not make. */
const handmade: Record<string, { edit: (ns: string, objects: ReturnType<typeof correctObjects>) => void; expect: Record<string, string> }> = {
  'b-selects-nothing': {
    edit: (_ns, o) => edit(o, 'Service', 'spec.selector', { app: 'redis' }),
    expect: { ...ALL_PASS, 'headless-dns': 'fail service-selects-nothing' },
  },
  'b-no-data-mount': {
    edit: (_ns, o) => edit(o, 'StatefulSet', 'spec.template.spec.containers.0.volumeMounts', []),
    expect: { ...ALL_PASS, 'statefulset-ready': 'fail data-volume-missing', 'redis-persistence': 'fail data-lost' },
  },
  'b-claimref-name': {
    edit: (ns, o) => edit(o, 'PersistentVolume', 'spec.claimRef.name', `pvc-${ns}-redis`),
    expect: { 'pv-claimref': 'fail claimref-name-wrong', 'pvc-bound': 'fail claimref-name-wrong', ...NOT_BOUND },
  },
  'b-wrong-claim': {
    edit: (_ns, o) => edit(o, 'StatefulSet', 'spec.template.spec.volumes.0.persistentVolumeClaim.claimName', 'pvc-somebody-else'),
    expect: { ...ALL_PASS, 'statefulset-ready': 'fail data-volume-wrong-claim', 'headless-dns': 'skipped', 'redis-persistence': 'skipped' },
  },
};

let env: SimEnv;
let results: Record<string, RunResult>;
const nsOf = (mistake: string) => `b-${mistake}`;

beforeAll(async () => {
  env = await startSim();
  const mistakes = Object.keys(generated);
  const spec = generateClass({
    students: mistakes.length,
    lab: 'redis-exist-pvc',
    namespaces: mistakes.map(nsOf),
    mistakes: mistakes.map((m) => (m === 'correct' ? null : m)) as Parameters<typeof generateClass>[0]['mistakes'],
  });
  await loadClass(applyTarget(env.sim), spec);
  for (const [ns, h] of Object.entries(handmade)) {
    const objects = correctObjects('redis-exist-pvc', ns);
    h.edit(ns, objects);
    await applyManifests(env.sim, objects);
  }
  await env.sim.apply(readFileSync(resolve(import.meta.dirname, 'chapter-redis-exist-pvc.yaml'), 'utf8'));
  expect(await until(() => podsReady(env.sim, nsOf('correct'), STS) && podsReady(env.sim, 'shiqi', STS))).toBe(true);

  // The student did the chapter's step: SET testkey, SAVE. The grader must report it.
  const pod = `${STS}-0`;
  for (const args of [['SET', 'testkey', 'Hello, Redis!'], ['SAVE']]) {
    const r = await execInPod(env.kc, { namespace: nsOf('correct'), pod, container: 'redis', command: ['redis-cli', ...args], timeoutMs: 10_000 });
    expect(r.kind === 'exited' ? r.stdout.trim() : r.reason).toBe('OK');
  }
  // A busybox sidecar has nslookup but no getent: the fallback resolver.
  const sidecar = correctObjects('redis-exist-pvc', 'b-busybox');
  edit(sidecar, 'StatefulSet', 'spec.template.spec.containers.1', { name: 'tools', image: 'busybox:1.36', command: ['sleep', '3600'] });
  await applyManifests(env.sim, sidecar);
  expect(await until(() => podsReady(env.sim, 'b-busybox', STS))).toBe(true);
  const viaTools: Lab = { ...lab, checks: lab.checks.map((c) => (c.id === 'headless-dns' ? { ...c, with: { ...c.with, container: 'tools' } } : c)) };
  const [all, tools] = await Promise.all([
    gradeAll(env, lab, [...mistakes.map(nsOf), ...Object.keys(handmade), 'shiqi']),
    grade({ lab: viaTools, namespace: 'b-busybox', kubeConfig: env.kc, timeMultiplier: MULT, only: ['headless-dns'] }),
  ]);
  results = { ...all, 'b-busybox': tools };
});

afterAll(async () => {
  await env?.stop();
});

describe('lab B (redis-exist-pvc) against kube-sim', () => {
  it('gives a correct namespace full marks, with the evidence of a real pod delete', () => {
    const r = results[nsOf('correct')];
    expect(verdicts(r)).toEqual(ALL_PASS);
    expect(r?.score).toBe(100);
    expect(r?.maxScore).toBe(100);
    expect(r?.status).toBe('passed');
    const persistence = r?.checks.find((c) => c.id === 'redis-persistence');
    const ev = persistence?.evidence as { key: string; oldUid: string; newUid: string; cleanup: string; studentKeyAfter: { value: string } };
    expect(ev.key).toMatch(/^kubegrade:probe:/);
    expect(ev.newUid).not.toBe(ev.oldUid);
    expect(ev.cleanup).toBe('1');
    expect(ev.studentKeyAfter.value).toBe('Hello, Redis!');
    expect(persistence?.message).toContain('your testkey: "Hello, Redis!"');
    const dns = r?.checks.find((c) => c.id === 'headless-dns');
    expect(dns?.evidence).toMatchObject({ method: 'getent' });
  });

  for (const [mistake, want] of Object.entries(generated).filter(([m]) => m !== 'correct')) {
    it(`diagnoses ${mistake}`, () => {
      const r = results[nsOf(mistake)];
      expect(verdicts(r)).toEqual(want);
      expect(r?.status).toBe(want === ALL_PASS ? 'passed' : 'failed');
      for (const c of r?.checks ?? []) if (c.status === 'fail') expect(c.hint?.zh.length ?? 0).toBeGreaterThan(0);
    });
  }

  for (const [ns, h] of Object.entries(handmade)) {
    it(`diagnoses ${ns}`, () => {
      expect(verdicts(results[ns])).toEqual(h.expect);
    });
  }

  it("grades the chapter's own manifests: only DNS fails, and the serviceName mismatch is explained", () => {
    const r = results.shiqi;
    expect(verdicts(r)).toEqual({ ...ALL_PASS, 'headless-dns': 'fail service-name-mismatch' });
    const dns = r?.checks.find((c) => c.id === 'headless-dns');
    expect(dns?.message).toContain('service-headless-redis-exist-pvc');
    expect(dns?.message).toContain('"redis-exist-pvc"');
    expect(dns?.hint?.zh).toContain('教程第七部分 3.1 自己就写错了');
    expect(dns?.hint?.en).toContain('the chapter itself gets this wrong');
    expect(r?.score).toBe(80);
  });

  it('falls back to nslookup where getent cannot run, and says which tool it used', () => {
    const dns = results['b-busybox']?.checks[0];
    expect(dns?.status).toBe('pass');
    expect(dns?.evidence).toMatchObject({ method: 'nslookup', found: { execPod: `${STS}-0` } });
  });

  it('non-disruptive mode leaves the pod alone and says why the check was skipped', async () => {
    const ns = nsOf('correct');
    const before = env.sim.view.get('pods', ns, `${STS}-0`)?.metadata.uid;
    const [r] = Object.values(await gradeAll(env, lab, [ns], { disruptive: false }));
    expect(verdicts(r)).toEqual({ ...ALL_PASS, 'redis-persistence': 'skipped' });
    expect(r?.checks.find((c) => c.id === 'redis-persistence')?.message).toMatch(/non-disruptive/);
    expect(env.sim.view.get('pods', ns, `${STS}-0`)?.metadata.uid).toBe(before);
  });

  it('the CLI prints one JSON object and exits 0 when all pass, 1 when some fail', async () => {
    const base = ['grade', '--lab', 'redis-exist-pvc', '--kubeconfig', env.kubeconfigFile, '--format', 'json', '--time-multiplier', '0.25', '--only', 'pv-claimref,pvc-bound,headless-dns'];
    const [ok, bad] = await Promise.all([kubegrade([...base, '--namespace', nsOf('correct')]), kubegrade([...base, '--namespace', 'shiqi'])]);
    expect(ok.code).toBe(0);
    const j = JSON.parse(ok.stdout) as { status: string; score: number; maxScore: number; checks: { id: string; status: string; hint: unknown }[] };
    expect(j).toMatchObject({ lab: 'redis-exist-pvc', namespace: nsOf('correct'), status: 'passed', score: 50, maxScore: 50 });
    expect(j.checks.map((c) => c.hint)).toEqual([null, null, null]);
    expect(bad.code).toBe(1);
    const jb = JSON.parse(bad.stdout) as { status: string; checks: { id: string; status: string; hint: { key: string } | null }[] };
    expect(jb.status).toBe('failed');
    expect(jb.checks.find((c) => c.id === 'headless-dns')?.hint?.key).toBe('service-name-mismatch');
  });
});
