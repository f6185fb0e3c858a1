// Endpoints (core/v1): written by the endpoints controller for Services with a selector.

import type { Obj } from '../object.ts';
import { AGE, age, col, NAME } from '../table.ts';
import { resource, type Kind } from './kind.ts';

export const endpoints: Kind = {
  resource: resource('', 'v1', 'endpoints', 'Endpoints', true, ['ep'], { singular: 'endpoints' }),
  printer: {
    columns: [NAME, col('Endpoints'), AGE],
    row: (ep) => [ep.metadata.name, endpointsString(ep.subsets), age(ep.metadata.creationTimestamp)],
  },
};

/** The ENDPOINTS cell: up to three ip:port, then "+ N more...". */
function endpointsString(subsets: unknown): string {
  const list: string[] = [];
  let count = 0;
  for (const s of Array.isArray(subsets) ? (subsets as Obj[]) : []) {
    const addrs = Array.isArray(s.addresses) ? (s.addresses as Obj[]) : [];
    const ports = Array.isArray(s.ports) ? (s.ports as Obj[]) : [];
    for (const a of addrs) {
      if (ports.length === 0) {
        count++;
        if (list.length < 3) list.push(String(a.ip));
      }
      for (const p of ports) {
        count++;
        if (list.length < 3) list.push(`${String(a.ip)}:${String(p.port)}`);
      }
    }
  }
  if (count === 0) return '<none>';
  return list.join(',') + (count > 3 ? ` + ${count - 3} more...` : '');
}
