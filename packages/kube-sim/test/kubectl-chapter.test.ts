// The chapter's own procedures (chapter-procedures.ts) for namespace `shiqi`, driven with real
// kubectl against kube-sim. packages/cluster runs the same procedures against a real cluster.
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { chapterProcedures } from './chapter-procedures.ts';
import { KUBECTL, KUBECTL_SKIP_REASON, startHarness, until, type SimHarness } from './sim-helpers.ts';

if (!KUBECTL) console.warn(KUBECTL_SKIP_REASON);

// Each kubectl run is a process start; on a loaded 2-core machine a test makes ~10 of them.
describe.skipIf(!KUBECTL)('chapter procedures with real kubectl', { timeout: 60_000 }, () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    await h.sim.reset();
    await h.k('create', 'namespace', 'shiqi');
  });
  chapterProcedures(() => ({
    tmpDir: h.tmpDir,
    kubectl: h.kubectl,
    k: h.k,
    waitFor: h.waitFor,
    until,
  }));
});
