// Node (core/v1): the one simulated node kube-sim creates at start; its status is written
// through the status subresource.

import { statusOf, type Obj } from '../object.ts';
import { AGE, age, col, NAME } from '../table.ts';
import { resource, statusSubresource, type Kind } from './kind.ts';

export const node: Kind = {
  resource: resource('', 'v1', 'nodes', 'Node', false, ['no'], {
    hasStatus: true,
    subresources: [statusSubresource('Node')],
  }),
  printer: {
    columns: [
      NAME,
      col('Status'),
      col('Roles'),
      AGE,
      col('Version'),
      col('Internal-IP', { priority: 1 }),
      col('External-IP', { priority: 1 }),
      col('OS-Image', { priority: 1 }),
      col('Kernel-Version', { priority: 1 }),
      col('Container-Runtime', { priority: 1 }),
    ],
    row: (node) => {
      const st = statusOf(node);
      const ready = ((st.conditions ?? []) as Obj[]).find((c) => c.type === 'Ready');
      const info = (st.nodeInfo ?? {}) as Obj;
      const addr = (t: string) => ((st.addresses ?? []) as Obj[]).find((a) => a.type === t)?.address;
      const roles = Object.keys(node.metadata.labels ?? {})
        .filter((l) => l.startsWith('node-role.kubernetes.io/'))
        .map((l) => l.slice('node-role.kubernetes.io/'.length));
      return [
        node.metadata.name,
        ready?.status === 'True' ? 'Ready' : 'NotReady',
        roles.length ? roles.join(',') : '<none>',
        age(node.metadata.creationTimestamp),
        String(info.kubeletVersion ?? ''),
        String(addr('InternalIP') ?? '<none>'),
        String(addr('ExternalIP') ?? '<none>'),
        String(info.osImage ?? ''),
        String(info.kernelVersion ?? ''),
        String(info.containerRuntimeVersion ?? ''),
      ];
    },
  },
};
