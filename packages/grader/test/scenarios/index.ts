// The scenario module: every student namespace the grader's kube-sim tests build, as plain data,
// with the verdict each check must give; a runner that builds them on any cluster through a
// KubeConfig; and the lab and grade options each is judged with. See packages/grader/README.md.
import { loadLabById } from '../../src/index.ts';
import type { GradeOptions, Lab } from '../../src/types.ts';
import { labAScenarios } from './lab-a.ts';
import { labBScenarios } from './lab-b.ts';
import { labCScenarios } from './lab-c.ts';
import { correctObjects, NFS_SERVER } from './manifests.ts';
import { mutationScenarios } from '../../src/scenario/mutations.ts';
import { nfsClientStorageClass } from '@kubegrade/kube-sim';
import type { Manifest } from './types.ts';
import type { LabId, Scenario } from './types.ts';

export type { Expectation, LabEdit, LabId, Manifest, ObjectRef, Scenario, Step } from './types.ts';
export {
  applyScenario,
  applyScenarios,
  describeStep,
  GRADE_CONCURRENCY,
  inPool,
  jsonPath,
  kubeTarget,
  type ScenarioTarget,
} from './target.ts';
export {
  correctObjects,
  edit,
  NFS_SERVER,
  only,
  podPhase,
  podReady,
  pvcPhase,
  pvPhase,
  studentObjects,
  without,
} from './manifests.ts';
export { ALL_PASS_B, chapterManifests, STS_B } from './lab-b.ts';
export { ALL_PASS_C, STS_C } from './lab-c.ts';
export {
  expectedStatuses,
  formatCorpus,
  MUTATIONS,
  mutationScenarios,
  scoreCorpus,
  type CorpusCounts,
  type Facts,
  type Mutation,
} from '../../src/scenario/mutations.ts';

/**
 * The course environment the scenarios assume, to apply (create or merge) before them: the
 * chapter's `nfs-client` StorageClass (provisioner k8s-sigs.io/nfs-subdir-external-provisioner,
 * which must be running) marked as the default class, so a claim without storageClassName is
 * provisioned by it.
 */
export const COURSE_ENVIRONMENT: readonly Manifest[] = [nfsClientStorageClass()];

/** Options for building the scenarios for a particular cluster. */
export interface ScenarioOptions {
  /** The NFS server the PVs name (default the chapter's 192.168.110.168); the labs' nfsServer param follows it. */
  nfsServer?: string;
}

/**
 * Every scenario of the three labs, in order (lab A, B, C). What the cluster must offer (the
 * course environment): a default StorageClass `nfs-client` whose provisioner
 * (k8s-sigs.io/nfs-subdir-external-provisioner) is running, and the NFS server.
 */
export function buildScenarios(opts: ScenarioOptions = {}): Scenario[] {
  const nfs = opts.nfsServer ?? NFS_SERVER;
  const all = [...labAScenarios(nfs), ...labBScenarios(nfs), ...labCScenarios(nfs)];
  if (nfs === NFS_SERVER) return all;
  return all.map((s) =>
    s.lab === 'redis-not-exist-pvc'
      ? s
      : { ...s, labEdit: { ...s.labEdit, params: { nfsServer: nfs, ...s.labEdit?.params } } },
  );
}

/** The scenarios with the chapter's NFS server. */
export const SCENARIOS: readonly Scenario[] = buildScenarios();

/**
 * The mutation corpus of the three labs, derived from their correct namespaces (namespaces
 * `ma-*`, `mb-*`, `mc-*`; expectations are statuses only, e.g. "fail", compared by scoreCorpus).
 * About 85 of them run a Redis pod: on a small node, apply and grade them in batches.
 */
export function buildMutationScenarios(opts: ScenarioOptions = {}): Scenario[] {
  const nfs = opts.nfsServer ?? NFS_SERVER;
  const labs = ['pv-claimref', 'redis-exist-pvc', 'redis-not-exist-pvc'] as const;
  const all = labs.flatMap((lab) => mutationScenarios(lab, (ns) => correctObjects(lab, ns, nfs)));
  if (nfs === NFS_SERVER) return all;
  return all.map((s) =>
    s.lab === 'redis-not-exist-pvc'
      ? s
      : { ...s, labEdit: { ...s.labEdit, params: { nfsServer: nfs, ...s.labEdit?.params } } },
  );
}

/** The scenarios of one lab. */
export function scenariosOf(lab: LabId, list: readonly Scenario[] = SCENARIOS): Scenario[] {
  return list.filter((s) => s.lab === lab);
}

/** The shipped lab with the scenario's edit applied. */
export function labFor(scenario: Scenario): Lab {
  const lab = loadLabById(scenario.lab);
  const e = scenario.labEdit;
  if (!e) return lab;
  return {
    ...lab,
    params: { ...lab.params, ...e.params },
    checks: lab.checks.map((c) => (e.checks?.[c.id] ? { ...c, with: { ...c.with, ...e.checks[c.id] } } : c)),
  };
}

/** The options to grade the scenario with (add kubeConfig and, for slow clusters, timeMultiplier). */
export function gradeOptionsFor(
  scenario: Scenario,
): Pick<GradeOptions, 'lab' | 'namespace' | 'disruptive' | 'only'> {
  return {
    lab: labFor(scenario),
    namespace: scenario.namespace,
    disruptive: scenario.grade?.disruptive ?? true,
    only: scenario.grade?.only,
  };
}
