// Cluster DNS as CoreDNS's kubernetes plugin answers it, following the Kubernetes DNS spec
// (github.com/kubernetes/dns docs/specification.md), plus the files the kubelet writes into every
// pod (/etc/hosts, /etc/resolv.conf). Answers are computed from live cluster state on each query.
import type { ClusterView, KubeObject } from '../runtime-contract.ts';
import { podHostname, podIP, podIsReady, podSpec, selects } from './pod-spec.ts';

/** The cluster DNS service address written into every pod's resolv.conf. */
export const CLUSTER_DNS_IP = '10.96.0.10';

/** DNS settings shared by every pod of the simulated cluster. */
export interface DnsConfig {
  clusterDomain: string;
}

/** The answer to one fully-qualified query. */
export type DnsResult =
  { found: true; fqdn: string; addresses: string[] } | { found: false; tried: string[] };

type Slice = {
  metadata: { labels?: Record<string, string> };
  endpoints?: {
    addresses?: string[];
    hostname?: string;
    conditions?: { ready?: boolean };
    targetRef?: { kind?: string; name?: string };
  }[];
};

type ServiceSpec = {
  clusterIP?: string;
  clusterIPs?: string[];
  type?: string;
  selector?: Record<string, string>;
};

function serviceSpec(svc: KubeObject): ServiceSpec {
  return (svc.spec ?? {}) as ServiceSpec;
}

function isHeadless(svc: KubeObject): boolean {
  return serviceSpec(svc).clusterIP === 'None';
}

/** Ready endpoints of a Service: from its EndpointSlices, or (if the core wrote none) from the pods it selects. */
function readyEndpoints(view: ClusterView, svc: KubeObject): { address: string; hostname?: string }[] {
  const ns = svc.metadata.namespace ?? 'default';
  const slices = view
    .list('endpointslices', ns)
    .filter(
      (s) => s.metadata.labels?.['kubernetes.io/service-name'] === svc.metadata.name,
    ) as unknown as Slice[];
  const out: { address: string; hostname?: string }[] = [];
  if (slices.length > 0) {
    for (const slice of slices) {
      for (const ep of slice.endpoints ?? []) {
        // A nil ready condition means "ready" in the EndpointSlice API.
        if (ep.conditions?.ready === false) continue;
        for (const address of ep.addresses ?? []) out.push({ address, hostname: ep.hostname });
      }
    }
    return out;
  }
  const selector = serviceSpec(svc).selector;
  for (const pod of view.list('pods', ns)) {
    if (!selects(selector, pod.metadata.labels) || !podIsReady(pod) || pod.metadata.deletionTimestamp)
      continue;
    const ip = podIP(pod);
    if (!ip) continue;
    const spec = podSpec(pod);
    const hostname = spec.hostname && spec.subdomain === svc.metadata.name ? spec.hostname : undefined;
    out.push({ address: ip, hostname });
  }
  return out;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** A-record lookup of one absolute name (no search path), as CoreDNS would answer. */
export function lookupAbsolute(view: ClusterView, cfg: DnsConfig, name: string): string[] | undefined {
  const fqdn = name.toLowerCase().replace(/\.$/, '');
  const suffix = `.${cfg.clusterDomain}`;
  if (!fqdn.endsWith(suffix)) return undefined;
  const labels = fqdn.slice(0, -suffix.length).split('.');
  if (labels.length === 3 && labels[2] === 'svc') {
    const [svcName, ns] = labels as [string, string];
    const svc = view.get('services', ns, svcName);
    if (!svc || serviceSpec(svc).type === 'ExternalName') return undefined;
    if (!isHeadless(svc)) {
      const ip = serviceSpec(svc).clusterIP ?? serviceSpec(svc).clusterIPs?.[0];
      return ip ? [ip] : undefined;
    }
    const ips = unique(readyEndpoints(view, svc).map((e) => e.address));
    return ips.length > 0 ? ips : undefined;
  }
  if (labels.length === 4 && labels[3] === 'svc') {
    // <hostname>.<service>.<ns>.svc: only headless Services publish per-endpoint hostnames.
    const [host, svcName, ns] = labels as [string, string, string];
    const svc = view.get('services', ns, svcName);
    if (!svc || !isHeadless(svc)) return undefined;
    const ips = unique(
      readyEndpoints(view, svc)
        .filter((e) => e.hostname?.toLowerCase() === host)
        .map((e) => e.address),
    );
    return ips.length > 0 ? ips : undefined;
  }
  if (labels.length === 3 && labels[2] === 'pod') {
    // <a-b-c-d>.<ns>.pod: CoreDNS "pods insecure" echoes the address back.
    const ip = (labels[0] ?? '').replace(/-/g, '.');
    return /^\d{1,3}(\.\d{1,3}){3}$/.test(ip) ? [ip] : undefined;
  }
  return undefined;
}

/** The resolv.conf search list of a pod in `namespace` (dnsPolicy ClusterFirst). */
export function searchList(cfg: DnsConfig, namespace: string): string[] {
  return [`${namespace}.svc.${cfg.clusterDomain}`, `svc.${cfg.clusterDomain}`, cfg.clusterDomain];
}

/** Resolve a name from inside a pod of `namespace`, applying the search list with ndots:5 as glibc does. */
export function resolveFromPod(
  view: ClusterView,
  cfg: DnsConfig,
  namespace: string,
  name: string,
): DnsResult {
  const candidates: string[] = [];
  if (name.endsWith('.')) {
    candidates.push(name.slice(0, -1));
  } else {
    const dots = name.split('.').length - 1;
    const searched = searchList(cfg, namespace).map((d) => `${name}.${d}`);
    if (dots >= 5) candidates.push(name, ...searched);
    else candidates.push(...searched, name);
  }
  for (const fqdn of candidates) {
    const addresses = lookupAbsolute(view, cfg, fqdn);
    if (addresses) return { found: true, fqdn: fqdn.toLowerCase(), addresses };
  }
  return { found: false, tried: candidates };
}

/** The lines of /etc/hosts as the kubelet writes them for this pod. */
export function etcHosts(pod: KubeObject, cfg: DnsConfig): string {
  const spec = podSpec(pod);
  const hostname = podHostname(pod);
  const ip = podIP(pod);
  let out = '# Kubernetes-managed hosts file.\n';
  out += '127.0.0.1\tlocalhost\n';
  out += '::1\tlocalhost ip6-localhost ip6-loopback\n';
  out += 'fe00::0\tip6-localnet\n';
  out += 'fe00::0\tip6-mcastprefix\n';
  out += 'fe00::1\tip6-allnodes\n';
  out += 'fe00::2\tip6-allrouters\n';
  if (ip) {
    if (spec.subdomain) {
      const domain = `${spec.subdomain}.${pod.metadata.namespace ?? 'default'}.svc.${cfg.clusterDomain}`;
      out += `${ip}\t${hostname}.${domain}\t${hostname}\n`;
    } else {
      out += `${ip}\t${hostname}\n`;
    }
  }
  if (spec.hostAliases && spec.hostAliases.length > 0) {
    out += '\n# Entries added by HostAliases.\n';
    for (const alias of spec.hostAliases) out += `${alias.ip}\t${(alias.hostnames ?? []).join('\t')}\n`;
  }
  return out;
}

/** Parse /etc/hosts content into (address, names) entries, first name canonical. */
export function parseHosts(content: string): { address: string; names: string[] }[] {
  const out: { address: string; names: string[] }[] = [];
  for (const raw of content.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [address, ...names] = line.split(/\s+/);
    if (address && names.length > 0) out.push({ address, names });
  }
  return out;
}

/** /etc/resolv.conf as the kubelet writes it for dnsPolicy ClusterFirst. */
export function resolvConf(pod: KubeObject, cfg: DnsConfig): string {
  const ns = pod.metadata.namespace ?? 'default';
  return `search ${searchList(cfg, ns).join(' ')}\nnameserver ${CLUSTER_DNS_IP}\noptions ndots:5\n`;
}
