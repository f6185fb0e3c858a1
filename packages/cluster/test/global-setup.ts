// One real cluster for every file of the lane: started before the first file, stopped after the
// last, and the host compared with what it was before (a difference fails the run).
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startCluster } from '../src/cluster.ts';
import { diffHost, snapshotHost } from '../src/host.ts';
import { skipLane } from '../src/availability.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The admin kubeconfig and the cluster's kubectl, or null when the lane does not run here. */
    realCluster: { kubeconfig: string; kubectl: string; server: string; caFile: string; dir: string } | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (skipLane()) {
    project.provide('realCluster', null);
    return async () => {};
  }
  const before = snapshotHost();
  const started = Date.now();
  // Ctrl-C while the lane runs: vitest exits at once, so the teardown is handed to a detached
  // `down` that outlives this process (the next `up`, and .ci/run's trap, would also clean up).
  const stopOnSignal = () => {
    spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '../src/cli.ts'), 'down'], {
      detached: true,
      stdio: 'ignore',
    }).unref();
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  const cluster = await startCluster({ log: (l) => console.log(`[cluster] ${l}`) });
  console.log(`[cluster] up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide('realCluster', {
    kubeconfig: cluster.kubeconfig,
    kubectl: cluster.binaries.kubectl,
    server: cluster.server,
    caFile: cluster.caFile,
    dir: cluster.dir,
  });
  return async () => {
    const left = await cluster.stop();
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    const diff = [...left, ...diffHost(before, snapshotHost())];
    if (diff.length)
      throw new Error(`the cluster's down did not restore the host:\n  ${[...new Set(diff)].join('\n  ')}`);
    console.log('[cluster] stopped; the host is as it was');
  };
}
