// The generated mutation corpus (src/scenario/mutations.ts) against kube-sim: every lab's correct
// namespace mutated in every field a check claims to verify; the expected verdicts come from the
// facts each mutation states, not from the grader. Prints the counts; 0 false passes is the bar.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/index.ts';
import { buildMutationScenarios, formatCorpus, scoreCorpus, type CorpusCounts } from '../scenarios/index.ts';
import { buildAndGrade, startSim, type SimEnv } from './helpers.ts';

const LABS = ['pv-claimref', 'redis-exist-pvc', 'redis-not-exist-pvc'] as const;
const corpus = buildMutationScenarios();
let env: SimEnv;
let results: Record<string, RunResult>;
let counts: CorpusCounts;

beforeAll(async () => {
  env = await startSim();
  results = await buildAndGrade(env, corpus);
  counts = scoreCorpus(corpus, results);
  console.log(`[mutation corpus on kube-sim] ${formatCorpus(counts)}`);
}, 600_000);

afterAll(async () => {
  await env?.stop();
});

describe('mutation corpus (kube-sim)', () => {
  it('derives mutations of every lab, each namespace valid and unique', () => {
    for (const lab of LABS) expect(corpus.filter((s) => s.lab === lab).length).toBeGreaterThan(10);
    const names = corpus.map((s) => s.namespace);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/);
  });
  it('gives each correct namespace full marks', () => {
    for (const ns of ['ma-correct', 'mb-correct', 'mc-correct'])
      expect(results[ns]?.status, ns).toBe('passed');
  });
  it('has no false pass', () => {
    expect(counts.wrong.filter((w) => w.got === 'pass')).toEqual([]);
  });
  it('agrees with every expected verdict (no false fail, no error)', () => {
    expect(counts.wrong).toEqual([]);
  });
});
