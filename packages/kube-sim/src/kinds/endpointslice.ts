// EndpointSlice (discovery.k8s.io/v1): written by the EndpointSlice controller for Services with a
// selector (not ExternalName ones).

import type { Obj } from '../object.ts';
import { AGE, age, col, NAME } from '../table.ts';
import { resource, type Kind } from './kind.ts';

export const endpointSlice: Kind = {
  resource: resource('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true, []),
  printer: {
    columns: [NAME, col('AddressType'), col('Ports'), col('Endpoints'), AGE],
    row: (es) => {
      const ports = (Array.isArray(es.ports) ? es.ports : []) as Obj[];
      const eps = (Array.isArray(es.endpoints) ? es.endpoints : []) as Obj[];
      const addrs = eps.flatMap((e) => (Array.isArray(e.addresses) ? (e.addresses as string[]) : []));
      return [
        es.metadata.name,
        String(es.addressType ?? ''),
        ports.length ? ports.map((p) => String(p.port ?? '')).join(',') : '<unset>',
        addrs.length
          ? addrs.slice(0, 3).join(',') + (addrs.length > 3 ? ` + ${addrs.length - 3} more...` : '')
          : '<unset>',
        age(es.metadata.creationTimestamp),
      ];
    },
  },
};
