// What every in-process controller is to the ControllerManager: work queues fed from store
// changes, state it can forget on reset, and (for the kubelet) work to finish on stop. Each
// controller gets the same ControllerContext.

import type { Api } from '../api.ts';
import type { Faults } from '../faults.ts';
import type { PodRuntime } from '../runtime-contract.ts';
import type { StoreEvent } from '../store.ts';
import type { EventRecorder } from './events.ts';
import type { WorkQueue } from './queue.ts';

/** Settings the controllers share (what startKubeSim passes). */
export interface ControllerOptions {
  api: Api;
  runtime: PodRuntime;
  faults: Faults;
  podReadyDelayMs: number;
  /** First back-off after a container fails to start (ms; the kubelet's is 10 s), doubled per failure. */
  crashLoopBackOffMs: number;
  /** Longest back-off (ms; the kubelet's is 300 s). */
  crashLoopBackOffMaxMs: number;
  /** Provisioners the simulated cluster runs. */
  provisioners: string[];
  /** NFS server and export the provisioner writes into PVs. */
  nfsServer: string;
  nfsPath: string;
  log: (msg: string) => void;
}

/** What a controller is constructed with. */
export interface ControllerContext extends Omit<ControllerOptions, 'log'> {
  recorder: EventRecorder;
  /** A sync failed (it is retried). */
  onError: (name: string, key: string, err: unknown) => void;
}

/** One controller, managed like every other. */
export interface Controller {
  /** Its work queues: settle waits for them, stop stops them. */
  readonly queues: readonly WorkQueue[];
  /** React to a store change (queue the keys it affects). */
  onEvent(ev: StoreEvent): void;
  /** Drop queued work and what it remembers (reset). */
  clear(): void;
  /** Finish work under way after the queues stopped (the kubelet's container stops). */
  stop?(): Promise<void>;
}
