// Records core/v1 Events the way client-go's recorder does: one Event per object, reason and
// message, whose count and lastTimestamp grow when it repeats. `kubectl describe` lists them.

import type { Api } from '../api.ts';
import { timestamp } from '../object.ts';
import { findResource } from '../resources.ts';
import type { KubeObject } from '../runtime-contract.ts';

const EVENTS = findResource('events')!;
const NAMESPACES = findResource('namespaces')!;

/** Who emitted an event. */
export interface EventSource {
  component: string;
  host?: string;
}

/** Emits and aggregates Events. */
export class EventRecorder {
  private readonly seen = new Map<string, string>(); // aggregation key -> event name
  private tick = 0n;

  constructor(private readonly api: Api) {}

  /** Record an event about obj. */
  record(
    obj: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    source: EventSource,
    fieldPath?: string,
  ): void {
    const namespace = obj.metadata.namespace ?? 'default';
    const ns = this.api.store.get(NAMESPACES, undefined, namespace);
    if (!ns) return;
    const key = `${namespace}|${obj.metadata.uid}|${type}|${reason}|${message}|${fieldPath ?? ''}`;
    const ts = timestamp();
    const existing = this.seen.get(key);
    if (existing && this.api.store.get(EVENTS, namespace, existing)) {
      this.api.mutate(EVENTS, namespace, existing, (ev) => {
        ev.count = Number(ev.count ?? 1) + 1;
        ev.lastTimestamp = ts;
      });
      return;
    }
    // client-go names events "<object>.<unix nanoseconds in hex>", so they list in time order.
    this.tick = (this.tick + 1n) % 1_000_000n;
    const name = `${obj.metadata.name}.${(BigInt(Date.now()) * 1_000_000n + this.tick).toString(16)}`;
    this.seen.set(key, name);
    try {
      this.api.create(EVENTS, namespace, {
        metadata: { name, namespace },
        involvedObject: {
          kind: obj.kind,
          namespace: obj.metadata.namespace,
          name: obj.metadata.name,
          uid: obj.metadata.uid,
          apiVersion: obj.apiVersion,
          resourceVersion: obj.metadata.resourceVersion,
          ...(fieldPath ? { fieldPath } : {}),
        },
        reason,
        message,
        source: source.host
          ? { component: source.component, host: source.host }
          : { component: source.component },
        firstTimestamp: ts,
        lastTimestamp: ts,
        count: 1,
        type,
        eventTime: null,
        reportingComponent: source.component,
        reportingInstance: source.host ?? '',
      });
    } catch {
      // A namespace being deleted refuses new content; an event about it is not worth failing a sync.
    }
  }

  /** Forget aggregation state (reset). */
  clear(): void {
    this.seen.clear();
  }
}
