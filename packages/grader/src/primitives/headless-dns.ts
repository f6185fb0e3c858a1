// Headless DNS: a Service with clusterIP None, named exactly like the StatefulSet's serviceName,
// selecting its pods; then the names resolve from inside a pod (`getent hosts` first, `nslookup` if
// present). When neither can run, the weaker evidence used is named in the result.
import type { V1Pod } from '@kubernetes/client-node';
import { z } from 'zod';
import { isPodReady, sleep } from '../kube/util.ts';
import type { ExecResult } from '../kube/exec.ts';
import { byName, containerName, labelSelectorMatches, mapSelects } from './common.ts';
import type { CheckContext, Primitive } from './registry.ts';

const params = z.strictObject({
  statefulSet: z.string().min(1),
  /** The Service name the lab teaches (reported; the truth is the StatefulSet's spec.serviceName). */
  serviceName: z.string().min(1).optional(),
  container: z.string().min(1).optional(),
  clusterDomain: z.string().min(1).default('cluster.local'),
  /** How long to keep retrying lookups (records appear once pods are Ready; misses are cached). */
  resolveSeconds: z.number().min(0).max(600).default(30),
});

/** Parameters of headless-dns. */
export type HeadlessDnsParams = z.infer<typeof params>;

const IP = /^(\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]+)$/;

/** IPs in `getent hosts` output ("10.1.2.3   name aliases"). */
export function parseGetent(out: string): string[] {
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((t) => IP.test(t));
}

/** IPs of the answer section of `nslookup` output (after the first "Name:"). */
export function parseNslookup(out: string): string[] {
  const lines = out.split('\n');
  const start = lines.findIndex((l) => /^\s*Name:/i.test(l));
  if (start < 0) return [];
  const ips: string[] = [];
  for (const l of lines.slice(start)) {
    const m = /^\s*Address(?:\s*\d+)?:\s*([0-9a-fA-F:.]+)/i.exec(l);
    if (m?.[1] && IP.test(m[1])) ips.push(m[1]);
  }
  return ips;
}

type Tool = 'getent' | 'nslookup';
interface Lookup {
  name: string;
  ips: string[];
  output: string;
}

async function lookup(ctx: CheckContext, pod: string, container: string, tool: Tool, name: string): Promise<{ started: false; reason: string } | ({ started: true } & Lookup)> {
  const cmd = tool === 'getent' ? ['getent', 'hosts', name] : ['nslookup', name];
  const r: ExecResult = await ctx.cluster.exec(ctx.namespace, pod, container, cmd, 10_000 * Math.max(1, ctx.timeMultiplier), ctx.signal);
  if (r.kind === 'not-started') return { started: false, reason: r.reason };
  const output = `${r.stdout}${r.stderr}`.trim();
  const ips = tool === 'getent' ? parseGetent(r.stdout) : parseNslookup(r.stdout);
  return { started: true, name, ips, output: output.slice(0, 500) };
}

/** headless-dns: Service headless, named by serviceName, selecting the pods; names resolve from inside a pod. */
export const headlessDns: Primitive<HeadlessDnsParams> = {
  name: 'headless-dns',
  description: "Headless Service named by the StatefulSet's serviceName and selecting its pods; per-pod FQDNs resolve from inside a pod",
  params,
  defaultTimeoutSeconds: 90,
  async run(ctx, p) {
    const [stsList, services, pods] = await Promise.all([
      ctx.cluster.statefulSets(ctx.namespace, ctx.signal),
      ctx.cluster.services(ctx.namespace, ctx.signal),
      ctx.cluster.pods(ctx.namespace, ctx.signal),
    ]);
    const sts = byName(stsList, p.statefulSet);
    if (!sts) {
      return {
        status: 'fail',
        message: `StatefulSet ${p.statefulSet} not found, so no per-pod DNS records can exist`,
        hint: 'statefulset-missing',
        evidence: { expected: { statefulSet: p.statefulSet }, found: { statefulSetsInNamespace: stsList.map((s) => s.metadata?.name) } },
      };
    }
    const serviceName = sts.spec?.serviceName ?? '';
    const templateLabels = sts.spec?.template?.metadata?.labels ?? {};
    const stsPods = pods.filter((pod) => labelSelectorMatches(sts.spec?.selector, pod.metadata?.labels) && pod.metadata?.name?.startsWith(`${p.statefulSet}-`));
    const svcFacts = services.map((s) => ({ name: s.metadata?.name, clusterIP: s.spec?.clusterIP ?? null, selector: s.spec?.selector ?? {} }));
    const evidence: Record<string, unknown> = {
      expected: {
        service: serviceName || p.serviceName || '(the StatefulSet has no serviceName)',
        clusterIP: 'None',
        selects: templateLabels,
        ...(p.serviceName ? { labServiceName: p.serviceName } : {}),
      },
      found: { statefulSetServiceName: serviceName || null, services: svcFacts },
    };
    const svc = serviceName ? byName(services, serviceName) : undefined;
    if (!svc) {
      const selecting = services.filter((s) => mapSelects(s.spec?.selector, templateLabels));
      const other = selecting.find((s) => s.spec?.clusterIP === 'None') ?? selecting[0];
      if (other) {
        return {
          status: 'fail',
          message: `Service ${other.metadata?.name} selects the pods, but the StatefulSet's serviceName is ${JSON.stringify(serviceName)}: per-pod records exist only under a headless Service named exactly like serviceName, so ${p.statefulSet}-0.${serviceName}.${ctx.namespace}.svc.${p.clusterDomain} does not resolve`,
          hint: 'service-name-mismatch',
          evidence,
        };
      }
      return {
        status: 'fail',
        message: serviceName ? `no Service named ${serviceName} (the StatefulSet's serviceName) in ${ctx.namespace}` : `StatefulSet ${p.statefulSet} has no serviceName and no Service selects its pods`,
        hint: 'service-missing',
        evidence,
      };
    }
    if (svc.spec?.clusterIP !== 'None') {
      return { status: 'fail', message: `Service ${serviceName} is not headless (clusterIP ${svc.spec?.clusterIP ?? 'unset'}, expected None)`, hint: 'service-not-headless', evidence };
    }
    const selected = stsPods.filter((pod) => mapSelects(svc.spec?.selector, pod.metadata?.labels));
    if (!mapSelects(svc.spec?.selector, templateLabels) && selected.length === 0) {
      return {
        status: 'fail',
        message: `headless Service ${serviceName} selects ${JSON.stringify(svc.spec?.selector ?? {})}, which matches none of the pods (labels ${JSON.stringify(templateLabels)})`,
        hint: 'service-selects-nothing',
        evidence,
      };
    }

    // Structure is right; now the real proof: resolve from inside a Ready pod.
    const ready = selected.filter((pod) => isPodReady(pod)).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    const execPod: V1Pod | undefined = ready[0];
    if (!execPod) {
      return { status: 'skipped', message: `no Ready pod of ${p.statefulSet} to resolve names from (DNS records exist only for Ready pods)`, evidence };
    }
    const podName = execPod.metadata?.name ?? '';
    const container = containerName(execPod, p.container) ?? '';
    const suffix = `${serviceName}.${ctx.namespace}.svc.${p.clusterDomain}`;
    // The Service's own name is answered by DNS only; a pod's own FQDN may be answered from its
    // /etc/hosts (the misleading line the chapter shows), so both are asked.
    const names = [suffix, ...ready.map((pod) => `${pod.metadata?.name}.${suffix}`)];
    const podIPs = Object.fromEntries(ready.map((pod) => [pod.metadata?.name, pod.status?.podIP ?? null]));
    evidence.found = { ...(evidence.found as object), execPod: podName, podIPs };

    let tool: Tool | undefined;
    const notStarted: Record<string, string> = {};
    for (const t of ['getent', 'nslookup'] as const) {
      const r = await lookup(ctx, podName, container, t, names[0] ?? suffix);
      if (r.started) {
        tool = t;
        break;
      }
      notStarted[t] = r.reason;
    }
    if (!tool) {
      // Neither tool can run in this image: fall back to weaker evidence, and say so.
      const slices = await ctx.cluster.endpointSlices(ctx.namespace, ctx.signal);
      const mine = (slices ?? []).filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === serviceName);
      const hostnames = mine.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).map((e) => e.hostname ?? null));
      const wanted = ready.map((pod) => pod.metadata?.name ?? '');
      const weak = {
        ...evidence,
        method: slices === undefined ? 'structure-only' : 'endpointslice-hostnames',
        toolsUnavailable: notStarted,
        endpointSliceHostnames: hostnames,
      };
      if (slices === undefined) {
        return {
          status: 'pass',
          message: `weaker evidence: neither getent nor nslookup can run in ${podName} and EndpointSlices are not served; Service ${serviceName} is headless, named by serviceName and selects ${ready.length} Ready pod(s)`,
          evidence: weak,
        };
      }
      const missing = wanted.filter((w) => !hostnames.includes(w));
      if (missing.length > 0) {
        return {
          status: 'fail',
          message: `weaker evidence (EndpointSlice hostnames; neither getent nor nslookup can run in ${podName}): no ready endpoint with hostname ${missing.join(', ')} in Service ${serviceName}`,
          hint: 'dns-not-resolving',
          evidence: weak,
        };
      }
      return {
        status: 'pass',
        message: `weaker evidence: neither getent nor nslookup can run in ${podName}; EndpointSlices of headless Service ${serviceName} publish hostnames ${wanted.join(', ')}`,
        evidence: weak,
      };
    }

    const resolveUntil = Date.now() + p.resolveSeconds * 1000 * ctx.timeMultiplier;
    const answers = new Map<string, Lookup>();
    for (;;) {
      for (const name of names) {
        if ((answers.get(name)?.ips.length ?? 0) > 0) continue;
        const r = await lookup(ctx, podName, container, tool, name);
        if (r.started) answers.set(name, { name, ips: r.ips, output: r.output });
      }
      const unresolved = names.filter((n) => (answers.get(n)?.ips.length ?? 0) === 0);
      const answerEvidence = names.map((n) => ({ name: n, ips: answers.get(n)?.ips ?? [], output: answers.get(n)?.output ?? '' }));
      if (unresolved.length === 0) {
        return {
          status: 'pass',
          message: `resolved ${names.length - 1} pod FQDN(s) and the Service name with \`${tool}\` from inside ${podName}, e.g. ${names[1] ?? names[0]}`,
          evidence: { ...evidence, method: tool, answers: answerEvidence },
        };
      }
      if (Date.now() >= resolveUntil) {
        return {
          status: 'fail',
          message: `\`${tool}\` in ${podName} could not resolve ${unresolved.join(', ')} (retried ${p.resolveSeconds * ctx.timeMultiplier} s)`,
          hint: 'dns-not-resolving',
          evidence: { ...evidence, method: tool, answers: answerEvidence },
        };
      }
      await sleep(Math.min(2000 * ctx.timeMultiplier, Math.max(0, resolveUntil - Date.now())), ctx.signal);
    }
  },
};
