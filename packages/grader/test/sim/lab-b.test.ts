// Lab B (redis-exist-pvc) against kube-sim: a correct namespace scores full marks, every mistake
// (one per namespace) gets the right status and hint on every check, and the chapter's own
// manifests are graded with the serviceName mismatch found and explained. The namespaces are
// test/scenarios/lab-b.ts, built through the Kubernetes API.
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLabById, messageIn, renderMessage, type Message, type RunResult } from '../../src/index.ts';
import { latinSentences } from '../latin.ts';
import { kubegrade } from '../cli-helper.ts';
import { ALL_PASS_B as ALL_PASS, scenariosOf, STS_B as STS } from '../scenarios/index.ts';
import { buildAndGrade, gradeAll, startSim, verdicts, type SimEnv } from './helpers.ts';

const lab = loadLabById('redis-exist-pvc');
const scenarios = scenariosOf('redis-exist-pvc');

let env: SimEnv;
let results: Record<string, RunResult>;
const nsOf = (mistake: string) => `b-${mistake}`;

beforeAll(async () => {
  env = await startSim();
  results = await buildAndGrade(env, scenarios);
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
    const ev = persistence?.evidence as {
      key: string;
      oldUid: string;
      newUid: string;
      cleanup: string;
      studentKeyBefore: { key: string; value: string };
      studentKeyAfter: { value: string };
    };
    expect(ev.key).toMatch(/^kubegrade:probe:/);
    expect(ev.newUid).not.toBe(ev.oldUid);
    expect(ev.cleanup).toBe('1');
    expect(ev.studentKeyBefore).toEqual({ key: 'testkey', value: 'Hello, Redis!' });
    expect(ev.studentKeyAfter.value).toBe('Hello, Redis!');
    expect(persistence?.message).toContain('your testkey: "Hello, Redis!"');
    const dns = r?.checks.find((c) => c.id === 'headless-dns');
    expect(dns?.evidence).toMatchObject({ method: 'getent' });
  });

  for (const s of scenarios) {
    it(`diagnoses ${s.namespace}: ${s.title}`, () => {
      const r = results[s.namespace];
      expect(verdicts(r)).toEqual(s.expect);
      const want = Object.values(s.expect);
      expect(r?.status).toBe(
        want.some((v) => v.startsWith('error'))
          ? 'error'
          : want.every((v) => v === 'pass')
            ? 'passed'
            : 'failed',
      );
      for (const c of r?.checks ?? [])
        if (c.status === 'fail') expect(c.hint?.zh.length ?? 0).toBeGreaterThan(0);
    });
  }

  it('judges the Redis container, not the first one, and says which and why', () => {
    const r = results['b-sidecar-first'];
    const sts = r?.checks.find((c) => c.id === 'statefulset-ready')?.evidence as {
      found: { container: { name: string; reason: Message } };
    };
    expect(sts.found.container.name).toBe('redis');
    expect(renderMessage(sts.found.container.reason, 'en')).toMatch(/image redis:7\.4\.4/);
    const persistence = r?.checks.find((c) => c.id === 'redis-persistence')?.evidence as {
      container: string;
      containerReason: Message;
    };
    expect(persistence.container).toBe('redis');
    expect(renderMessage(persistence.containerReason, 'en')).toMatch(/container 2 of 2/);
    // The sidecar holding the claim does not make Redis's own /data persistent.
    expect(
      results['b-sidecar-holds-claim']?.checks.find((c) => c.id === 'statefulset-ready')?.message,
    ).toMatch(/\(container redis\) mounts nothing at \/data/);
  });

  it('never deletes a bare pod named like pod 0, and says why persistence cannot be proved', async () => {
    const ns = 'b-bare-pod';
    const c = results[ns]?.checks.find((x) => x.id === 'redis-persistence');
    expect(c?.message).toMatch(/but StatefulSet statefulset-redis-exist-pvc does not: .*it was not deleted/);
    expect(c?.evidence).toMatchObject({ deleted: false, ownerReferences: [] });
    const pod = await env.kc.makeApiClient(CoreV1Api).readNamespacedPod({ name: `${STS}-0`, namespace: ns });
    expect(pod.metadata?.deletionTimestamp).toBeUndefined();
    // Only the grader could have deleted it: the pod is the one the scenario created, still Ready.
    expect(pod.metadata?.ownerReferences ?? []).toEqual([]);
    expect(pod.status?.conditions?.find((x) => x.type === 'Ready')?.status).toBe('True');
  });

  it('names what the status says: crash-looping, Terminating (with the finalizer), not "readiness probe failing"', () => {
    const crash =
      results['b-crashloop-no-probe']?.checks.find((c) => c.id === 'statefulset-ready')?.message ?? '';
    expect(crash).toMatch(/crash-looping/);
    expect(crash).not.toMatch(/readiness/);
    const held =
      results['b-pod-terminating']?.checks.find((c) => c.id === 'statefulset-ready')?.message ?? '';
    expect(held).toMatch(/is Terminating .*kubegrade\.example\/hold/);
    expect(held).not.toMatch(/readiness/);
    expect(results['b-pvc-terminating']?.checks.find((c) => c.id === 'pvc-bound')?.message).toMatch(
      /is Terminating .*kubernetes\.io\/pvc-protection/,
    );
    expect(results['b-svc-terminating']?.checks.find((c) => c.id === 'headless-dns')?.message).toMatch(
      /Service redis-exist-pvc is Terminating .*kubegrade\.example\/hold/,
    );
  });

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
    const base = [
      'grade',
      '--lab',
      'redis-exist-pvc',
      '--kubeconfig',
      env.kubeconfigFile,
      '--format',
      'json',
      '--time-multiplier',
      '0.25',
      '--only',
      'pv-claimref,pvc-bound,headless-dns',
    ];
    const [ok, bad] = await Promise.all([
      kubegrade([...base, '--namespace', nsOf('correct')]),
      kubegrade([...base, '--namespace', 'shiqi']),
    ]);
    expect(ok.code).toBe(0);
    const j = JSON.parse(ok.stdout) as {
      status: string;
      score: number;
      maxScore: number;
      checks: { id: string; status: string; hint: unknown }[];
    };
    expect(j).toMatchObject({
      lab: 'redis-exist-pvc',
      namespace: nsOf('correct'),
      status: 'passed',
      score: 50,
      maxScore: 50,
    });
    expect(j.checks.map((c) => c.hint)).toEqual([null, null, null]);
    expect(bad.code).toBe(1);
    const jb = JSON.parse(bad.stdout) as {
      status: string;
      checks: { id: string; status: string; hint: { key: string } | null }[];
    };
    expect(jb.status).toBe('failed');
    expect(jb.checks.find((c) => c.id === 'headless-dns')?.hint?.key).toBe('service-name-mismatch');
  });

  it('says every verdict of every mistake in Chinese with no English sentence, and in English as before', () => {
    const seen = new Set<string>();
    const english: string[] = [];
    for (const [ns, r] of Object.entries(results)) {
      for (const c of r.checks) {
        expect(c.messageText, `${ns} ${c.id}`).toBeDefined();
        seen.add(c.messageText?.$msg ?? '');
        expect(messageIn(c, 'en')).toBe(c.message);
        const zh = messageIn(c, 'zh');
        expect(zh, `${ns} ${c.id}`).toMatch(/[\u4e00-\u9fff]/);
        for (const s of latinSentences(zh)) english.push(`${ns} ${c.id}: "${s}" in ${zh}`);
      }
    }
    expect(english).toEqual([]);
    expect(seen.size).toBeGreaterThan(15);
  });

  it('kubegrade grade --lang zh prints the messages in Chinese; --format json carries both languages', async () => {
    const base = [
      'grade',
      '--lab',
      'redis-exist-pvc',
      '--kubeconfig',
      env.kubeconfigFile,
      '--time-multiplier',
      '0.25',
      '--only',
      'pv-claimref,pvc-bound,headless-dns',
      '--namespace',
      'shiqi',
    ];
    const [zh, en, json] = await Promise.all([
      kubegrade([...base, '--lang', 'zh']),
      kubegrade([...base, '--lang', 'en']),
      kubegrade([...base, '--format', 'json']),
    ]);
    expect(zh.code).toBe(1);
    expect(zh.stdout).toContain(
      'Service service-headless-redis-exist-pvc 选中了这些 Pod，但 StatefulSet 的 serviceName 是 "redis-exist-pvc"',
    );
    expect(zh.stdout).toContain(
      'PV pv-shiqi-redis-exist-pvc 已预绑定到 shiqi/pvc-shiqi-redis-exist-pvc，属性符合要求',
    );
    const messageLines = zh.stdout.split('\n').filter((l) => /^ {4}\S/.test(l) && !l.includes('提示 ('));
    expect(messageLines.length).toBe(3);
    expect(messageLines.flatMap((l) => latinSentences(l))).toEqual([]);
    expect(en.stdout).toContain(
      'Service service-headless-redis-exist-pvc selects the pods, but the StatefulSet\'s serviceName is "redis-exist-pvc"',
    );
    const j = JSON.parse(json.stdout) as {
      checks: {
        id: string;
        message: string;
        messageText: { $msg: string; params: Record<string, unknown>; zh: string; en: string };
      }[];
    };
    const dns = j.checks.find((c) => c.id === 'headless-dns');
    expect(dns?.messageText).toMatchObject({
      $msg: 'dns.service-name-mismatch',
      params: { other: 'service-headless-redis-exist-pvc', serviceName: '"redis-exist-pvc"' },
    });
    expect(dns?.messageText.en).toBe(dns?.message);
    expect(dns?.messageText.zh).toContain(
      '每个 Pod 的 DNS 记录只会建在名称与 serviceName 完全相同的 Headless Service 下',
    );
  });
});
