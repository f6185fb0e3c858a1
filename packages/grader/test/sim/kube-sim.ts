// The kube-sim pieces these tests use, in one place.
import { startKubeSim, type KubeObject, type KubeSim } from '@kubegrade/kube-sim';
import type { generateClass as Gen } from '@kubegrade/kube-sim';

export { createPodRuntime, generateClass, loadClass, podIsReady } from '@kubegrade/kube-sim';
export { startKubeSim, type KubeSim };

/** A generated manifest (its metadata has no uid yet). */
export type Manifest = ReturnType<typeof Gen>['students'][number]['objects'][number];

/** Applies generated manifests. */
export function applyManifests(sim: KubeSim, objects: Manifest[]): Promise<KubeObject[]> {
  return sim.apply(objects);
}

/** kube-sim as the class loader's apply target. */
export function applyTarget(sim: KubeSim): { apply(objects: string | Manifest[]): Promise<unknown> } {
  return { apply: (objects) => sim.apply(objects) };
}
