// Namespace (core/v1): finalizer `kubernetes` on create, phase Active; deletion marks it
// Terminating and the namespace controller empties and removes it (the finalize subresource
// clears spec.finalizers).

import { fields, str } from '../proto.ts';
import { obj, list, S, top } from '../schema.ts';
import { AGE, age, col, NAME } from '../table.ts';
import { nameIsDnsLabel } from '../validation.ts';
import { specOf, statusOf, timestamp } from '../object.ts';
import { resource, statusSubresource, type Kind } from './kind.ts';

export const namespace: Kind = {
  resource: resource('', 'v1', 'namespaces', 'Namespace', false, ['ns'], {
    hasStatus: true,
    subresources: [
      statusSubresource('Namespace'),
      { name: 'finalize', kind: 'Namespace', verbs: ['update'] },
    ],
  }),
  schema: top({ spec: obj({ finalizers: list(S) }) }),
  printer: {
    columns: [NAME, col('Status', { description: 'The status of the namespace' }), AGE],
    row: (ns) => [ns.metadata.name, String(statusOf(ns).phase ?? ''), age(ns.metadata.creationTimestamp)],
  },
  validateName: nameIsDnsLabel,
  // NamespaceSpec from protobuf (what `kubectl create namespace` sends): its finalizers.
  protobufSpec(buf) {
    const fins = fields(buf)
      .filter((f) => f.no === 1)
      .map(str);
    return fins.length ? { finalizers: fins } : undefined;
  },
  prepareForCreate(ns) {
    ns.spec = { finalizers: ['kubernetes'] };
    ns.status = { phase: 'Active' };
  },
  // spec.finalizers changes only through the finalize subresource.
  prepareForUpdate(next, old) {
    next.spec = old.spec;
  },
  subresourceWrites: {
    finalize(old, incoming) {
      const next = structuredClone(old);
      next.spec = { ...(old.spec ?? {}), finalizers: specOf(incoming).finalizers ?? [] };
      return next;
    },
  },
  onDelete(ns, { finalizers }) {
    const meta = ns.metadata;
    if (meta.deletionTimestamp) return 'unchanged';
    meta.deletionTimestamp = timestamp();
    meta.deletionGracePeriodSeconds = 0;
    if (finalizers.size) meta.finalizers = [...finalizers];
    ns.status = { ...(ns.status ?? {}), phase: 'Terminating' };
    return 'store';
  },
  keepTerminating: true,
};
