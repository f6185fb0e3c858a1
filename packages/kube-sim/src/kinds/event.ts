// Event (core/v1): what controllers record about objects; any name, and still created in a
// terminating namespace (the events of its own deletion).

import type { Obj } from '../object.ts';
import { age, col } from '../table.ts';
import { resource, type Kind } from './kind.ts';

export const event: Kind = {
  resource: resource('', 'v1', 'events', 'Event', true, ['ev']),
  printer: {
    columns: [
      col('Last Seen'),
      col('Type'),
      col('Reason'),
      col('Object'),
      col('Subobject', { priority: 1 }),
      col('Source', { priority: 1 }),
      col('Message'),
      col('First Seen', { priority: 1 }),
      col('Count', { priority: 1 }),
      col('Name', { priority: 1, format: 'name' }),
    ],
    row: (ev) => {
      const io = (ev.involvedObject ?? {}) as Obj;
      const src = (ev.source ?? {}) as Obj;
      const last =
        (ev.lastTimestamp as string | undefined) ??
        (ev.eventTime as string | undefined) ??
        ev.metadata.creationTimestamp;
      const first =
        (ev.firstTimestamp as string | undefined) ??
        (ev.eventTime as string | undefined) ??
        ev.metadata.creationTimestamp;
      return [
        age(last),
        String(ev.type ?? ''),
        String(ev.reason ?? ''),
        `${String(io.kind ?? '').toLowerCase()}/${String(io.name ?? '')}`,
        String(io.fieldPath ?? ''),
        [src.component, src.host].filter(Boolean).join(', '),
        String(ev.message ?? ''),
        age(first),
        String(ev.count ?? 1),
        ev.metadata.name,
      ];
    },
  },
  validateName: () => [],
  allowedInTerminatingNamespace: true,
};
