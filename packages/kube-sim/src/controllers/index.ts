// Wires the in-process controllers to store changes.

import type { Api } from '../api.ts';
import type { Faults } from '../faults.ts';
import type { PodRuntime } from '../runtime-contract.ts';

/** Settings the controllers share. */
export interface ControllerOptions {
  api: Api;
  runtime: PodRuntime;
  faults: Faults;
  podReadyDelayMs: number;
  provisioners: string[];
  nfsServer: string;
  nfsPath: string;
  log: (msg: string) => void;
}

/** All controllers of one kube-sim. */
export class ControllerManager {
  constructor(private readonly opts: ControllerOptions) {}

  /** Start reacting to changes. */
  start(): void {}

  /** Drop queued work (reset). */
  clear(): void {}

  /** Resolve when no work is queued. */
  async settle(): Promise<void> {}

  /** Stop everything (pods are stopped through the runtime by the caller). */
  async stop(): Promise<void> {}
}
