// Headless DNS: a Service with clusterIP None, named exactly like the StatefulSet's serviceName,
// selecting its pods; then the names resolve from inside a pod (`getent hosts` first, `nslookup` if
// present). When neither can run, the weaker evidence used is named in the result.
import type { V1EndpointSlice, V1Pod, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import { z } from 'zod';
import { isPodReady } from '../kube/util.ts';
import { poll } from '../poll.ts';
import type { ExecResult } from '../kube/exec.ts';
import {
  byName,
  labelSelectorMatches,
  mapSelects,
  redisContainer,
  terminating,
  terminatingDetail,
} from './common.ts';
import { DeadlineError } from '../errors.ts';
import { msg } from '../messages.ts';
import { definePrimitive, type Judgement } from './define.ts';
import { error, fail, pass, skipped, type Evidence } from './outcome.ts';
import type { CheckContext, Outcome } from './registry.ts';

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

/** A lookup tool the pod may have. */
export type Tool = 'getent' | 'nslookup';

/** One name asked inside the pod: the IPs it answered, and its output. */
export interface Lookup {
  name: string;
  ips: string[];
  output: string;
  /** The tool ran but had not answered when its exec timed out (cluster DNS not answering). */
  timedOut?: true;
}

async function lookup(
  ctx: CheckContext,
  pod: string,
  container: string,
  tool: Tool,
  name: string,
): Promise<{ started: false; reason: string } | ({ started: true } & Lookup)> {
  const cmd = tool === 'getent' ? ['getent', 'hosts', name] : ['nslookup', name];
  const r: ExecResult | DeadlineError = await ctx.cluster
    .exec(ctx.namespace, pod, container, cmd, 10_000 * Math.max(1, ctx.timeMultiplier), ctx.signal)
    .catch((err: unknown) => {
      // Its own exec timeout, not the check's deadline: DNS did not answer (a lost UDP query waits
      // out the resolver's 5 s, twice), which is asked again like a miss.
      if (err instanceof DeadlineError && !ctx.signal.aborted) return err;
      throw err;
    });
  if (r instanceof DeadlineError) return { started: true, name, ips: [], output: r.message, timedOut: true };
  if (r.kind === 'not-started') return { started: false, reason: r.reason };
  const output = `${r.stdout}${r.stderr}`.trim();
  const ips = tool === 'getent' ? parseGetent(r.stdout) : parseNslookup(r.stdout);
  return { started: true, name, ips, output: output.slice(0, 500) };
}

/**
 * What headless-dns reads: the StatefulSets, Services and pods; once the structure is right, asked
 * for: which lookup tool runs in the pod, then either the answers to every name or (no tool) the
 * EndpointSlices.
 */
export interface HeadlessDnsFacts {
  namespace: string;
  statefulSets: V1StatefulSet[];
  services: V1Service[];
  pods: V1Pod[];
  /**
   * The first tool that started (none: neither could), why the others did not, and what that tool
   * answered for the first name (the Service's), which the answers then start from.
   */
  tools?: { tool: Tool | undefined; notStarted: Record<string, string>; first?: Lookup };
  /** The last answer to each name asked, and how long they were asked for (seconds, multiplied). */
  answers?: { byName: Record<string, Lookup>; seconds: number };
  /** null: the API does not serve EndpointSlices. */
  slices?: V1EndpointSlice[] | null;
}

/** What headless-dns's judge may ask for. */
export type HeadlessDnsNeed = 'tools' | 'answers' | 'slices';

/** Where and what to ask, once the Service is right. */
interface DnsPlan {
  evidence: Evidence;
  serviceName: string;
  ready: V1Pod[];
  podName: string;
  container: string;
  names: string[];
}

/** The structure (StatefulSet, Service, selection, a Ready pod) judged, or the plan to resolve names. */
function plan(facts: HeadlessDnsFacts, p: HeadlessDnsParams): Outcome | DnsPlan {
  const { namespace, statefulSets: stsList, services, pods } = facts;
  const sts = byName(stsList, p.statefulSet);
  if (!sts) {
    return fail(msg('dns.sts-missing', { statefulSet: p.statefulSet }), 'statefulset-missing', {
      expected: { statefulSet: p.statefulSet },
      found: { statefulSetsInNamespace: stsList.map((s) => s.metadata?.name) },
    });
  }
  const serviceName = sts.spec?.serviceName ?? '';
  const templateLabels = sts.spec?.template?.metadata?.labels ?? {};
  const stsPods = pods.filter(
    (pod) =>
      labelSelectorMatches(sts.spec?.selector, pod.metadata?.labels) &&
      pod.metadata?.name?.startsWith(`${p.statefulSet}-`),
  );
  const svcFacts = services.map((s) => ({
    name: s.metadata?.name,
    clusterIP: s.spec?.clusterIP ?? null,
    selector: s.spec?.selector ?? {},
  }));
  const evidence: Evidence = {
    expected: {
      service: serviceName || p.serviceName || msg('dns.no-service-name-expected'),
      clusterIP: 'None',
      selects: templateLabels,
      ...(p.serviceName ? { labServiceName: p.serviceName } : {}),
    },
    found: { statefulSetServiceName: serviceName || null, services: svcFacts },
  };
  const svc = serviceName ? byName(services, serviceName) : undefined;
  if (svc && terminating(svc)) {
    // A Service on its way out publishes no endpoints: as good as missing.
    return fail(
      msg('dns.service-terminating', { service: serviceName, detail: terminatingDetail(svc) }),
      'service-missing',
      evidence,
    );
  }
  if (!svc) {
    const selecting = services.filter((s) => mapSelects(s.spec?.selector, templateLabels));
    const other = selecting.find((s) => s.spec?.clusterIP === 'None') ?? selecting[0];
    if (other) {
      return fail(
        msg('dns.service-name-mismatch', {
          other: String(other.metadata?.name),
          serviceName: JSON.stringify(serviceName),
          fqdn: `${p.statefulSet}-0.${serviceName}.${namespace}.svc.${p.clusterDomain}`,
        }),
        'service-name-mismatch',
        evidence,
      );
    }
    return fail(
      serviceName
        ? msg('dns.no-service', { service: serviceName, namespace })
        : msg('dns.no-service-name', { statefulSet: p.statefulSet }),
      'service-missing',
      evidence,
    );
  }
  if (svc.spec?.clusterIP !== 'None') {
    return fail(
      msg('dns.not-headless', { service: serviceName, clusterIP: svc.spec?.clusterIP ?? msg('unset') }),
      'service-not-headless',
      evidence,
    );
  }
  const selected = stsPods.filter((pod) => mapSelects(svc.spec?.selector, pod.metadata?.labels));
  if (!mapSelects(svc.spec?.selector, templateLabels) && selected.length === 0) {
    return fail(
      msg('dns.selects-nothing', {
        service: serviceName,
        selector: JSON.stringify(svc.spec?.selector ?? {}),
        labels: JSON.stringify(templateLabels),
      }),
      'service-selects-nothing',
      evidence,
    );
  }

  // Structure is right; now the real proof: resolve from inside a Ready pod.
  const ready = selected
    .filter((pod) => isPodReady(pod))
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  const execPod: V1Pod | undefined = ready[0];
  if (!execPod) return skipped(msg('dns.no-ready-pod', { statefulSet: p.statefulSet }), evidence);
  const podName = execPod.metadata?.name ?? '';
  // The Redis container (the official image has getent), or the one the lab names.
  const judged = redisContainer(execPod.spec, p.container);
  const container = judged.name ?? '';
  const suffix = `${serviceName}.${namespace}.svc.${p.clusterDomain}`;
  // The Service's own name is answered by DNS only; a pod's own FQDN may be answered from its
  // /etc/hosts (the misleading line the chapter shows), so both are asked.
  const names = [suffix, ...ready.map((pod) => `${pod.metadata?.name}.${suffix}`)];
  const podIPs = Object.fromEntries(ready.map((pod) => [pod.metadata?.name, pod.status?.podIP ?? null]));
  evidence.found = {
    ...(evidence.found as object),
    execPod: podName,
    container,
    containerReason: judged.reason,
    podIPs,
  };
  return { evidence, serviceName, ready, podName, container, names };
}

async function gatherMore(
  ctx: CheckContext,
  p: HeadlessDnsParams,
  facts: HeadlessDnsFacts,
  need: HeadlessDnsNeed,
): Promise<HeadlessDnsFacts> {
  const planned = plan(facts, p);
  if (!('names' in planned)) return facts;
  const { podName, container, names } = planned;
  if (need === 'tools') {
    const notStarted: Record<string, string> = {};
    for (const t of ['getent', 'nslookup'] as const) {
      const r = await lookup(ctx, podName, container, t, names[0] ?? '');
      if (r.started) {
        const { started: _started, ...first } = r;
        return { ...facts, tools: { tool: t, notStarted, first } };
      }
      notStarted[t] = r.reason;
    }
    return { ...facts, tools: { tool: undefined, notStarted } };
  }
  if (need === 'slices')
    return { ...facts, slices: (await ctx.cluster.endpointSlices(ctx.namespace, ctx.signal)) ?? null };
  const tool = facts.tools?.tool;
  if (!tool) return facts;
  // Records appear once pods are Ready and misses are cached: ask again until every name answers.
  const first = facts.tools?.first;
  const byName: Record<string, Lookup> = first ? { [first.name]: first } : {};
  const unresolved = () => names.filter((n) => (byName[n]?.ips.length ?? 0) === 0);
  await poll(
    async () => {
      for (const name of unresolved()) {
        const r = await lookup(ctx, podName, container, tool, name);
        if (r.started) {
          const { started: _started, ...answer } = r;
          byName[name] = answer;
        }
      }
      return unresolved();
    },
    (left) => left.length === 0,
    {
      withinMs: p.resolveSeconds * 1000 * ctx.timeMultiplier,
      everyMs: 2000 * ctx.timeMultiplier,
      signal: ctx.signal,
    },
  );
  return { ...facts, answers: { byName, seconds: p.resolveSeconds * ctx.timeMultiplier } };
}

/** headless-dns's verdict: the structure, then what the names answered inside the pod (or, with no tool, the EndpointSlices). */
export function judgeHeadlessDns(facts: HeadlessDnsFacts, p: HeadlessDnsParams): Judgement<HeadlessDnsNeed> {
  const planned = plan(facts, p);
  if (!('names' in planned)) return planned;
  const { evidence, serviceName, ready, podName, names } = planned;
  if (!facts.tools) return { need: 'tools' };
  const { tool, notStarted } = facts.tools;
  if (!tool) {
    // Neither tool can run in this image: fall back to weaker evidence, and say so.
    if (facts.slices === undefined) return { need: 'slices' };
    const slices = facts.slices;
    const mine = (slices ?? []).filter(
      (s) => s.metadata?.labels?.['kubernetes.io/service-name'] === serviceName,
    );
    const hostnames = mine.flatMap((s) =>
      (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).map((e) => e.hostname ?? null),
    );
    const wanted = ready.map((pod) => pod.metadata?.name ?? '');
    const weak = {
      ...evidence,
      method: slices === null ? 'structure-only' : 'endpointslice-hostnames',
      toolsUnavailable: notStarted,
      endpointSliceHostnames: hostnames,
    };
    if (slices === null)
      return pass(
        msg('dns.weak-structure-only', { pod: podName, service: serviceName, count: ready.length }),
        weak,
      );
    const missing = wanted.filter((w) => !hostnames.includes(w));
    if (missing.length > 0)
      return fail(
        msg('dns.weak-missing', { pod: podName, missing, service: serviceName }),
        'dns-not-resolving',
        weak,
      );
    return pass(msg('dns.weak-pass', { pod: podName, service: serviceName, hostnames: wanted }), weak);
  }
  if (!facts.answers) return { need: 'answers' };
  const { byName: answers, seconds } = facts.answers;
  const unresolved = names.filter((n) => (answers[n]?.ips.length ?? 0) === 0);
  const answerEvidence = names.map((n) => ({
    name: n,
    ips: answers[n]?.ips ?? [],
    output: answers[n]?.output ?? '',
  }));
  if (unresolved.length === 0) {
    return pass(
      msg('dns.pass', { count: names.length - 1, tool, pod: podName, example: names[1] ?? names[0] ?? '' }),
      { ...evidence, method: tool, answers: answerEvidence },
    );
  }
  const noAnswer = unresolved.filter((n) => answers[n]?.timedOut);
  if (noAnswer.length > 0) {
    // Cluster DNS never answered these in the whole window: the cluster's fault, not the student's.
    return error(msg('dns.no-answer', { tool, pod: podName, names: noAnswer, seconds }), undefined, {
      ...evidence,
      method: tool,
      answers: answerEvidence,
    });
  }
  return fail(
    msg('dns.unresolved', { tool, pod: podName, names: unresolved, seconds }),
    'dns-not-resolving',
    { ...evidence, method: tool, answers: answerEvidence },
  );
}

/** headless-dns: Service headless, named by serviceName, selecting the pods; names resolve from inside a pod. */
export const headlessDns = definePrimitive<HeadlessDnsParams, HeadlessDnsFacts, HeadlessDnsNeed>({
  name: 'headless-dns',
  description:
    "Headless Service named by the StatefulSet's serviceName and selecting its pods; per-pod FQDNs resolve from inside a pod",
  params,
  defaultTimeoutSeconds: 90,
  async gather(ctx) {
    const [statefulSets, services, pods] = await Promise.all([
      ctx.cluster.statefulSets(ctx.namespace, ctx.signal),
      ctx.cluster.services(ctx.namespace, ctx.signal),
      ctx.cluster.pods(ctx.namespace, ctx.signal),
    ]);
    return { namespace: ctx.namespace, statefulSets, services, pods };
  },
  gatherMore,
  judge: judgeHeadlessDns,
});
