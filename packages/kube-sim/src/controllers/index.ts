// Wires the in-process controllers to store changes. Every controller reacts to the changes it
// cares about through its own keyed work queues; nothing polls. Adding a controller: implement
// Controller (controller.ts) and list it in CONTROLLERS.

import type { ControllerContext, Controller, ControllerOptions } from './controller.ts';
import { EndpointsController } from './endpoints.ts';
import { EventRecorder } from './events.ts';
import { GarbageCollector, NamespaceController } from './lifecycle.ts';
import { PodController } from './pods.ts';
import { StatefulSetController } from './statefulsets.ts';
import { PersistentVolumeController } from './volumes/binder.ts';

export type { ControllerOptions } from './controller.ts';

/** Every controller, in the order each store change reaches them. */
const CONTROLLERS: (new (ctx: ControllerContext) => Controller)[] = [
  GarbageCollector,
  NamespaceController,
  PersistentVolumeController,
  PodController,
  StatefulSetController,
  EndpointsController,
];

/** All controllers of one kube-sim. */
export class ControllerManager {
  readonly recorder: EventRecorder;
  private readonly controllers: Controller[];
  private unsubscribe: () => void = () => {};

  constructor(private readonly opts: ControllerOptions) {
    const onError = (name: string, key: string, err: unknown) =>
      opts.log(`${name} ${key}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    this.recorder = new EventRecorder(opts.api);
    const ctx: ControllerContext = { ...opts, recorder: this.recorder, onError };
    this.controllers = CONTROLLERS.map((C) => new C(ctx));
  }

  private get queues() {
    return this.controllers.flatMap((c) => c.queues);
  }

  /** Start reacting to changes. */
  start(): void {
    this.unsubscribe = this.opts.api.store.subscribe((ev) => {
      if (ev.res.kind === 'Event') return;
      for (const c of this.controllers) c.onEvent(ev);
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
    for (const c of this.controllers) c.clear();
    this.recorder.clear();
  }

  /** Stop everything; waits for pod stops under way. */
  async stop(): Promise<void> {
    this.unsubscribe();
    for (const q of this.queues) q.stop();
    await Promise.all(this.controllers.map((c) => c.stop?.()));
  }
}
