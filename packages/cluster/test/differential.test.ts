// The point of the real cluster: every grader scenario of labs A, B and C (packages/grader/test/
// scenarios: each mistake table, the chapter's manifests as written, the Released-PV flow of 6.4)
// is built and graded on kube-sim AND on the real cluster, and the verdicts (status and hint key
// of every check) must be equal, and equal to what the scenario expects. A grader and a double
// written by the same team can share a misconception; the real apiserver, kubelet and containerd
// cannot.
import type { RunResult } from '@kubegrade/grader';
import { SCENARIOS } from '@kubegrade/grader/scenarios';
import { buildAndGrade, startSim, verdicts } from '@kubegrade/grader/sim-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAndGradeReal, realCluster } from './real.ts';

const scenarios = SCENARIOS.filter((s) => !s.simOnly);
const simResults: Record<string, RunResult> = {};
const realResults: Record<string, RunResult> = {};

describe.skipIf(!realCluster)('the same verdicts on kube-sim and on the real cluster', () => {
  // Both sides at once: the real cluster's batches mostly wait on its kubelet.
  beforeAll(async () => {
    const onSim = async () => {
      const sim = await startSim();
      try {
        Object.assign(simResults, await buildAndGrade(sim, scenarios));
      } finally {
        await sim.stop();
      }
    };
    const onReal = async () =>
      Object.assign(
        realResults,
        await buildAndGradeReal(scenarios, (line) => console.log(`[differential] ${line}`)),
      );
    // Both finish (settled) before a failure is reported, so no batch outlives the file.
    const failed = (await Promise.allSettled([onSim(), onReal()])).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  });

  afterAll(() => {
    const compared = scenarios.filter((s) => simResults[s.namespace] && realResults[s.namespace]);
    const checks = compared.reduce((n, s) => n + Object.keys(verdicts(realResults[s.namespace])).length, 0);
    const equal = compared.filter(
      (s) =>
        JSON.stringify(verdicts(simResults[s.namespace])) ===
        JSON.stringify(verdicts(realResults[s.namespace])),
    );
    console.log(
      `[differential] ${compared.length} scenarios (${SCENARIOS.length - scenarios.length} kube-sim-only not run), ${checks} verdicts compared: ${equal.length} scenarios identical on kube-sim and the real cluster`,
    );
  });

  for (const s of scenarios) {
    it(`${s.lab} ${s.namespace} (${s.title}): real cluster = kube-sim = expected`, () => {
      const real = verdicts(realResults[s.namespace]);
      expect(real, 'real cluster vs kube-sim').toEqual(verdicts(simResults[s.namespace]));
      expect(real, 'real cluster vs the scenario').toEqual(s.expect);
    });
  }
});
