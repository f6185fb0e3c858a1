// The kube-sim pieces these tests use, in one place. The pod runtime and the class generator are
// not (yet) re-exported by '@kubegrade/kube-sim', so they come from its source modules.
export { startKubeSim, type KubeSim } from '@kubegrade/kube-sim';
export { createPodRuntime } from '../../../kube-sim/src/runtime/index.ts';
export { generateClass, loadClass } from '../../../kube-sim/src/scenarios/index.ts';

import type { KubeObject, KubeSim as Sim } from '@kubegrade/kube-sim';
import type { generateClass as Gen } from '../../../kube-sim/src/scenarios/index.ts';

/** A generated manifest (its metadata has no uid yet). */
export type Manifest = ReturnType<typeof Gen>['students'][number]['objects'][number];

/** Applies generated manifests: kube-sim's apply types stored objects (with uids), these have none yet. */
export function applyManifests(sim: Sim, objects: Manifest[]): Promise<KubeObject[]> {
  return sim.apply(objects as unknown as KubeObject[]);
}

/** kube-sim as the class loader's apply target. */
export function applyTarget(sim: Sim): { apply(objects: string | Manifest[]): Promise<unknown> } {
  return { apply: (objects) => (typeof objects === 'string' ? sim.apply(objects) : applyManifests(sim, objects)) };
}
