// The generated mutation corpus (packages/grader/src/scenario/mutations.ts) on the real cluster:
// every lab's correct namespace mutated in every field a check claims to verify, expected verdicts
// from the facts each mutation states. 0 false passes is the bar, as on kube-sim.
// ~100 namespaces take about 10 minutes on a 2-core node, so this file runs on request only:
// KUBEGRADE_REAL_CORPUS=1 npm run test:real-cluster -w @kubegrade/cluster
import {
  buildMutationScenarios,
  formatCorpus,
  scoreCorpus,
  type CorpusCounts,
} from '@kubegrade/grader/scenarios';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAndGradeReal, realCluster } from './real.ts';

const wanted = process.env.KUBEGRADE_REAL_CORPUS === '1';
if (realCluster && !wanted)
  console.warn(
    '[corpus] the mutation corpus on the real cluster runs with KUBEGRADE_REAL_CORPUS=1 (kube-sim runs it in every npm test)',
  );

describe.skipIf(!realCluster || !wanted)('mutation corpus on the real cluster', () => {
  const corpus = buildMutationScenarios();
  let counts: CorpusCounts;
  beforeAll(async () => {
    counts = scoreCorpus(corpus, await buildAndGradeReal(corpus, (line) => console.log(`[corpus] ${line}`)));
    console.log(`[mutation corpus on the real cluster] ${formatCorpus(counts)}`);
  });
  it('has no false pass', () => {
    expect(counts.wrong.filter((w) => w.got === 'pass')).toEqual([]);
  });
  it('agrees with every expected verdict (no false fail, no error)', () => {
    expect(counts.wrong).toEqual([]);
  });
});
