// Watch streams: newline-delimited JSON events over a chunked response, resumable from a
// resourceVersion within the store's event window, with an ERROR 410 Expired event when the
// version is too old (as the watch cache answers).

import type { ServerResponse } from 'node:http';
import { expired } from './errors.ts';
import type { ResourceInfo } from './resources.ts';
import type { KubeObject } from './runtime-contract.ts';
import { matchesFields, matchesLabels, type FieldSelector, type LabelSelector } from './selectors.ts';
import type { Store, StoreEvent } from './store.ts';

/** What one watch request asked for. */
export interface WatchRequest {
  res: ResourceInfo;
  namespace?: string;
  labels: LabelSelector;
  fields: FieldSelector;
  resourceVersion?: string;
  timeoutSeconds?: number;
  /** Called to turn each object into what is sent (a Table row when kubectl asked for one). */
  render: (obj: KubeObject) => unknown;
  /** Close the stream after this many ms (fault injection). */
  dropAfterMs?: number;
}

/** Serve one watch until the client leaves, the timeout passes, or the server closes it. */
export function serveWatch(
  store: Store,
  req: WatchRequest,
  res: ServerResponse,
  registry: Set<() => void>,
): void {
  const matches = (o: KubeObject | undefined) =>
    o !== undefined &&
    (!req.res.namespaced || !req.namespace || o.metadata.namespace === req.namespace) &&
    matchesLabels(req.labels, o.metadata.labels) &&
    matchesFields(req.fields, o);

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  const send = (type: string, object: unknown) => {
    res.write(JSON.stringify({ type, object }) + '\n');
  };

  let closed = false;
  let unsubscribe: () => void = () => {};
  const timers: NodeJS.Timeout[] = [];
  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    registry.delete(close);
    res.end();
  };
  registry.add(close);
  res.on('close', close);

  const forward = (ev: StoreEvent) => {
    if (ev.res !== req.res) return;
    const now = matches(ev.object);
    const before = ev.type === 'MODIFIED' ? matches(ev.old) : false;
    if (ev.type === 'ADDED') {
      if (now) send('ADDED', req.render(ev.object));
    } else if (ev.type === 'DELETED') {
      if (matches(ev.old) || now) send('DELETED', req.render(ev.object));
    } else if (now && before) send('MODIFIED', req.render(ev.object));
    else if (now && !before) send('ADDED', req.render(ev.object));
    else if (!now && before) send('DELETED', req.render(ev.object));
  };

  const rv = req.resourceVersion;
  if (rv === undefined || rv === '' || rv === '0') {
    for (const o of store.list(req.res, req.namespace)) if (matches(o)) send('ADDED', req.render(o));
  } else {
    const n = Number(rv);
    // A version newer than any this store made (the client saw a previous kube-sim on this port):
    // the client must relist, as after a real apiserver's "Too large resource version".
    if (Number.isFinite(n) && n > store.resourceVersion) {
      send(
        'ERROR',
        expired(`too large resource version: ${rv} (current ${store.resourceVersion})`).toStatus(),
      );
      close();
      return;
    }
    const events = Number.isFinite(n) ? store.eventsSince(n) : 'expired';
    if (events === 'expired') {
      send('ERROR', expired(`too old resource version: ${rv} (${store.oldestResumable})`).toStatus());
      close();
      return;
    }
    for (const ev of events) forward(ev);
  }
  unsubscribe = store.subscribe(forward);

  const timeoutMs =
    (req.timeoutSeconds && req.timeoutSeconds > 0
      ? req.timeoutSeconds
      : 1800 + Math.floor(Math.random() * 1800)) * 1000;
  timers.push(setTimeout(close, timeoutMs));
  if (req.dropAfterMs !== undefined) timers.push(setTimeout(() => res.destroy(), req.dropAfterMs));
}
