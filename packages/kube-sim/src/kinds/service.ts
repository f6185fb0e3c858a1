// Service (core/v1): a DNS-1035 name, ports merged by port number, a cluster IP allocated from
// 10.96.0.0/16 on create (none for headless and ExternalName Services) and kept on update.

import { setDefault } from '../defaults.ts';
import { cause, invalid, type StatusCause } from '../errors.ts';
import { isObj, specOf, type Obj } from '../object.ts';
import { compact, fields, int, intOrString, str, stringMap } from '../proto.ts';
import type { KubeObject } from '../runtime-contract.ts';
import { list, map, obj, S, top, ANY } from '../schema.ts';
import { AGE, age, col, NAME } from '../table.ts';
import { nameIsDns1035Label, specUpdate } from '../validation.ts';
import { resource, statusSubresource, type Kind, type KindContext } from './kind.ts';

export const service: Kind = {
  resource: resource('', 'v1', 'services', 'Service', true, ['svc'], {
    hasStatus: true,
    categories: ['all'],
    subresources: [statusSubresource('Service')],
  }),
  schema: top({
    spec: obj({
      ports: list(obj({ name: S, protocol: S, appProtocol: S, port: S, targetPort: S, nodePort: S })),
      selector: map(),
      clusterIP: S,
      clusterIPs: list(S),
      type: S,
      externalIPs: list(S),
      sessionAffinity: S,
      loadBalancerIP: S,
      loadBalancerSourceRanges: list(S),
      externalName: S,
      externalTrafficPolicy: S,
      healthCheckNodePort: S,
      publishNotReadyAddresses: S,
      sessionAffinityConfig: ANY,
      ipFamilies: list(S),
      ipFamilyPolicy: S,
      allocateLoadBalancerNodePorts: S,
      loadBalancerClass: S,
      internalTrafficPolicy: S,
      trafficDistribution: S,
    }),
  }),
  printer: {
    columns: [
      NAME,
      col('Type'),
      col('Cluster-IP'),
      col('External-IP'),
      col('Port(s)'),
      AGE,
      col('Selector', { priority: 1 }),
    ],
    row: serviceRow,
  },
  mergeKeys: { 'spec.ports': 'port' },
  validateName: nameIsDns1035Label,
  defaults(svc) {
    const spec = svc.spec;
    if (!spec) return;
    setDefault(spec, 'type', 'ClusterIP');
    setDefault(spec, 'sessionAffinity', 'None');
    setDefault(spec, 'internalTrafficPolicy', 'Cluster');
    setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
    setDefault(spec, 'ipFamilies', ['IPv4']);
    if (Array.isArray(spec.ports)) {
      for (const p of spec.ports) {
        if (!isObj(p)) continue;
        setDefault(p, 'protocol', 'TCP');
        setDefault(p, 'targetPort', p.port);
      }
    }
  },
  prepareForCreate(svc) {
    svc.status = { loadBalancer: {} };
  },
  validate(svc) {
    const out: StatusCause[] = [];
    const spec = svc.spec as Obj | undefined;
    const headless = spec?.clusterIP === 'None';
    const ports = spec?.ports;
    if (!headless && (!Array.isArray(ports) || ports.length === 0) && spec?.type !== 'ExternalName')
      out.push(cause.required('spec.ports'));
    if (Array.isArray(ports)) {
      ports.forEach((p, i) => {
        if (!isObj(p)) return;
        const port = p.port;
        if (typeof port !== 'number' || port < 1 || port > 65535)
          out.push(
            cause.invalid(`spec.ports[${i}].port`, port ?? 0, 'must be between 1 and 65535, inclusive'),
          );
        if (ports.length > 1 && !p.name) out.push(cause.required(`spec.ports[${i}].name`));
      });
    }
    const type = spec?.type;
    if (
      type !== undefined &&
      !['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(String(type))
    ) {
      out.push(
        cause.unsupported('spec.type', type, ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']),
      );
    }
    return out;
  },
  protobufSpec: serviceSpec,
  beginCreate: allocateClusterIp,
  // An update that leaves clusterIP out keeps the allocated one.
  prepareForUpdate(next, old) {
    const spec = specOf(next);
    const oldSpec = specOf(old);
    if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = oldSpec.clusterIP;
    if (spec.clusterIPs === undefined) spec.clusterIPs = oldSpec.clusterIPs;
    next.spec = spec;
  },
  validateUpdate: specUpdate((ns, os) => {
    if (os.clusterIP && ns.clusterIP !== undefined && ns.clusterIP !== os.clusterIP) {
      return [cause.invalid('spec.clusterIPs[0]', ns.clusterIP, 'may not change once set')];
    }
    return [];
  }),
};

/** The cluster IPs in use and the next one to try. */
interface ClusterIpRange {
  used: Set<string>;
  next: number;
}

/** Take the requested cluster IP (refused when in use) or the next free one of 10.96.0.0/16. */
function allocateClusterIp(svc: KubeObject, ctx: KindContext): void {
  const spec = specOf(svc);
  if (spec.type === 'ExternalName') return;
  if (spec.clusterIP === 'None') {
    spec.clusterIPs = ['None'];
    return;
  }
  const range = ctx.local<ClusterIpRange>('service/cluster-ips', () => ({ used: new Set(), next: 10 }));
  let ip = typeof spec.clusterIP === 'string' && spec.clusterIP ? spec.clusterIP : undefined;
  if (ip && range.used.has(ip)) {
    throw invalid(service.resource, svc.metadata.name, [
      {
        reason: 'FieldValueInvalid',
        message: `Invalid value: []string{"${ip}"}: failed to allocate IP ${ip}: provided IP is already allocated`,
        field: 'spec.clusterIPs',
      },
    ]);
  }
  while (!ip) {
    const n = range.next++;
    const candidate = `10.96.${(n >> 8) & 0xff}.${n & 0xff}`;
    if ((n & 0xff) !== 0 && (n & 0xff) !== 255 && !range.used.has(candidate)) ip = candidate;
  }
  range.used.add(ip);
  spec.clusterIP = ip;
  spec.clusterIPs = [ip];
  svc.spec = spec;
}

function serviceRow(svc: KubeObject): unknown[] {
  const spec = specOf(svc);
  const type = String(spec.type ?? 'ClusterIP');
  const ports = (Array.isArray(spec.ports) ? spec.ports : []) as Obj[];
  const portStr = ports.length
    ? ports
        .map((p) =>
          p.nodePort
            ? `${String(p.port)}:${String(p.nodePort)}/${String(p.protocol ?? 'TCP')}`
            : `${String(p.port)}/${String(p.protocol ?? 'TCP')}`,
        )
        .join(',')
    : '<none>';
  const externalIPs = Array.isArray(spec.externalIPs) ? (spec.externalIPs as string[]) : [];
  let external = '<none>';
  if (type === 'ExternalName') external = String(spec.externalName ?? '');
  else if (externalIPs.length) external = externalIPs.join(',');
  else if (type === 'LoadBalancer') external = '<pending>';
  const selector = isObj(spec.selector)
    ? Object.entries(spec.selector)
        .map(([k, v]) => `${k}=${String(v)}`)
        .sort()
        .join(',')
    : '';
  return [
    svc.metadata.name,
    type,
    spec.clusterIP ? String(spec.clusterIP) : '<none>',
    external,
    portStr,
    age(svc.metadata.creationTimestamp),
    selector || '<none>',
  ];
}

function servicePort(buf: Buffer): Obj {
  const p: Obj = {};
  for (const f of fields(buf)) {
    if (f.no === 1) p.name = str(f);
    else if (f.no === 2) p.protocol = str(f);
    else if (f.no === 3) p.port = int(f);
    else if (f.no === 4) p.targetPort = intOrString(f.bytes!);
    else if (f.no === 5) p.nodePort = int(f);
    else if (f.no === 6) p.appProtocol = str(f);
  }
  return compact(p);
}

/** ServiceSpec from protobuf (what `kubectl create service` sends). */
function serviceSpec(buf: Buffer): Obj {
  const fs = fields(buf);
  const s: Obj = {};
  for (const f of fs) {
    if (f.no === 1) ((s.ports ??= []) as Obj[]).push(servicePort(f.bytes!));
    else if (f.no === 3) s.clusterIP = str(f);
    else if (f.no === 4) s.type = str(f);
    else if (f.no === 5) ((s.externalIPs ??= []) as string[]).push(str(f));
    else if (f.no === 7) s.sessionAffinity = str(f);
    else if (f.no === 10) s.externalName = str(f);
    else if (f.no === 18) ((s.clusterIPs ??= []) as string[]).push(str(f));
  }
  const selector = stringMap(fs, 2);
  if (selector) s.selector = selector;
  return compact(s);
}
