// The live lab on the real cluster: the engine's cluster-wide watches on a real kube-apiserver,
// a correct lab-B solution applied one manifest at a time with real kubectl, and each check turning
// to pass on its own (nobody grades); then a Grade run of the same namespace scores full marks.
// On kube-sim the same flow is e2e/tests/6-live-lab.spec.ts and packages/grader/test/live.test.ts.
import { grade, LiveEngine, loadLabById, type LiveState } from '@kubegrade/grader';
import { correctObjects } from '@kubegrade/grader/scenarios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKubeConfig, emptyCluster, k, kApply, realCluster, until } from './real.ts';

const NS = 'live-real';
const lab = loadLabById('redis-exist-pvc');
/** The check each manifest completes, in the order a student applies them. */
const COMPLETES: [kind: string, check: string][] = [
  ['PersistentVolume', 'pv-claimref'],
  ['PersistentVolumeClaim', 'pvc-bound'],
  ['StatefulSet', 'statefulset-ready'],
  ['Service', 'headless-dns'],
];

describe.skipIf(!realCluster)('the live lab on the real cluster', () => {
  const states: LiveState[] = [];
  let engine: LiveEngine | undefined;
  const status = (check: string) => states.at(-1)?.checks.find((c) => c.id === check)?.status;

  beforeAll(async () => {
    await emptyCluster([NS]);
    await k('create', 'namespace', NS);
    engine = new LiveEngine({
      kubeConfig: adminKubeConfig(),
      onState: (s) => void (s.namespace === NS && states.push(s)),
      // A real kubelet answers in seconds: an in-pod lookup may run every 5 s here.
      execIntervalMs: 5000,
    });
    engine.setTargets([{ namespace: NS, labs: [lab] }]);
    await engine.start();
  });
  afterAll(async () => {
    await engine?.stop();
    if (realCluster) await emptyCluster([NS]);
  });

  it('turns each check green as its manifest is applied, without a Grade run; Grade then scores 100', async () => {
    await until('the first live evaluation', () => states.length > 0);
    for (const [, check] of COMPLETES) expect(status(check), check).toBe('fail');
    expect(status('redis-persistence')).toBe('grade-only');

    const objects = correctObjects('redis-exist-pvc', NS);
    for (const [kind, check] of COMPLETES) {
      const manifest = objects.find((o) => o.kind === kind);
      if (!manifest) throw new Error(`no ${kind} in the solution`);
      await kApply(JSON.stringify(manifest));
      await until(`${check} to pass live after applying the ${kind}`, () => status(check) === 'pass', 15_000);
      // The checks already passing stay so.
      for (const [, before] of COMPLETES.slice(
        0,
        COMPLETES.findIndex(([, c]) => c === check),
      ))
        expect(status(before), `${before} after the ${kind}`).toBe('pass');
    }
    // Watches, not lists: dozens of changes (objects, statuses, Events), a few evaluations.
    expect(engine!.stats.changes).toBeGreaterThan(engine!.stats.evaluations);

    const result = await grade({ lab, namespace: NS, kubeConfig: adminKubeConfig(), disruptive: true });
    expect({ status: result.status, score: result.score }).toEqual({
      status: 'passed',
      score: result.maxScore,
    });
  });
});
