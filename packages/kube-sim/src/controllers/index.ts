// Wires the in-process controllers to store changes. Every controller reacts to the changes it
// cares about through its own keyed work queue; nothing polls.

import type { Api } from '../api.ts';
import type { Faults } from '../faults.ts';
import type { PodRuntime } from '../runtime-contract.ts';
import { EndpointsController } from './endpoints.ts';
import { EventRecorder } from './events.ts';
import { GarbageCollector, NamespaceController } from './lifecycle.ts';
import { PodController } from './pods.ts';
import type { WorkQueue } from './queue.ts';
import { StatefulSetController } from './statefulsets.ts';
import { VolumeControllers } from './volumes.ts';

/** Settings the controllers share. */
export interface ControllerOptions {
  api: Api;
  runtime: PodRuntime;
  faults: Faults;
  podReadyDelayMs: number;
  crashLoopBackOffMs: number;
  crashLoopBackOffMaxMs: number;
  provisioners: string[];
  nfsServer: string;
  nfsPath: string;
  log: (msg: string) => void;
}

/** All controllers of one kube-sim. */
export class ControllerManager {
  readonly recorder: EventRecorder;
  private readonly volumes: VolumeControllers;
  private readonly pods: PodController;
  private readonly statefulsets: StatefulSetController;
  private readonly endpoints: EndpointsController;
  private readonly namespaces: NamespaceController;
  private readonly gc: GarbageCollector;
  private unsubscribe: () => void = () => {};

  constructor(private readonly opts: ControllerOptions) {
    const onError = (name: string, key: string, err: unknown) =>
      opts.log(`${name} ${key}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    this.recorder = new EventRecorder(opts.api);
    this.volumes = new VolumeControllers({
      api: opts.api,
      recorder: this.recorder,
      provisioners: opts.provisioners,
      nfsServer: opts.nfsServer,
      nfsPath: opts.nfsPath,
      onError,
    });
    this.pods = new PodController({
      api: opts.api,
      recorder: this.recorder,
      runtime: opts.runtime,
      faults: opts.faults,
      podReadyDelayMs: opts.podReadyDelayMs,
      crashLoopBackOffMs: opts.crashLoopBackOffMs,
      crashLoopBackOffMaxMs: opts.crashLoopBackOffMaxMs,
      onError,
    });
    this.statefulsets = new StatefulSetController({ api: opts.api, recorder: this.recorder, faults: opts.faults, onError });
    this.endpoints = new EndpointsController({ api: opts.api, onError });
    this.namespaces = new NamespaceController(opts.api, onError);
    this.gc = new GarbageCollector(opts.api, onError);
  }

  private get queues(): WorkQueue[] {
    return [
      this.volumes.claimQueue,
      this.volumes.volumeQueue,
      this.pods.queue,
      this.statefulsets.queue,
      this.endpoints.queue,
      this.namespaces.queue,
      this.gc.queue,
    ];
  }

  /** Start reacting to changes. */
  start(): void {
    this.unsubscribe = this.opts.api.store.subscribe((ev) => {
      if (ev.res.kind === 'Event') return;
      this.gc.onEvent(ev);
      this.namespaces.onEvent(ev);
      this.volumes.onEvent(ev);
      this.pods.onEvent(ev);
      this.statefulsets.onEvent(ev);
      this.endpoints.onEvent(ev);
    });
  }

  /** Resolve when no controller has work queued or running (delayed work excluded). */
  async settle(): Promise<void> {
    for (let round = 0; round < 100; round++) {
      await new Promise((r) => setImmediate(r));
      if (this.queues.every((q) => q.idle)) return;
      await Promise.all(this.queues.map((q) => q.whenIdle()));
    }
  }

  /** Drop queued work and controller memory (reset). */
  clear(): void {
    this.volumes.clear();
    this.pods.clear();
    this.statefulsets.clear();
    this.endpoints.clear();
    this.gc.clear();
    this.namespaces.queue.clear();
    this.recorder.clear();
  }

  /** Stop everything; waits for pod stops under way. */
  async stop(): Promise<void> {
    this.unsubscribe();
    for (const q of this.queues) q.stop();
    await this.pods.stop();
  }
}
