// The grader's RBAC is exactly what its code paths call: grade every shipped lab against kube-sim
// (correct namespaces, common mistakes, a crash-looping pod, the disruptive pod-delete check),
// record every API request in RBAC terms, and compare that set with deploy/base/rbac.yaml.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  grade,
  kubeConfigFrom,
  LiveEngine,
  listLabs,
  loadLabById,
  type LiveState,
  type RunResult,
} from '@kubegrade/grader';
import type { PodRuntime, RequestRecord } from '@kubegrade/kube-sim';
import {
  startSimCluster,
  loadGeneratedClass,
  waitForReady,
  type SimCluster,
  type Lab,
  type Mistake,
} from '../../scripts/sim-cluster.ts';
import { DEPLOY_DIR, kustomize, type Obj } from './render.ts';

/** A permission as RBAC sees it: `cluster` for cluster-scoped resources, `namespace` otherwise. */
type Grant = `${'cluster' | 'namespace'} ${string} ${string} ${string}`;

const grant = (scope: 'cluster' | 'namespace', group: string, resource: string, verb: string): Grant =>
  `${scope} ${group || 'core'} ${resource} ${verb}`;

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** Every grant a ClusterRole's rules give, at one scope. */
function grantsOf(role: Obj, scope: 'cluster' | 'namespace'): Grant[] {
  return ((role as unknown as { rules: Rule[] }).rules ?? []).flatMap((r) =>
    r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => grant(scope, g, res, v)))),
  );
}

// Which students each lab is graded for: correct ones plus the mistakes that take the grader down
// other code paths (a half-done namespace, a missing Service, a stale claimRef).
const CLASSES: Record<Lab, (Mistake | null)[]> = {
  'pv-claimref': [null, 'stale-claimref'],
  'redis-exist-pvc': [null, 'half-done', 'servicename-mismatch'],
  'redis-not-exist-pvc': [null, 'no-service'],
};
const CRASHING = 'crashloop';
// A namespace whose image has neither getent nor nslookup: the DNS check then falls back to EndpointSlices.
const NO_EXEC = 'no-exec';
// A student who has applied nothing yet: with the lab's PV missing the grader lists every PV.
const NOT_STARTED = 'not-started';
// Fails after a moment, as a real container start does: kube-sim's pod controller retries a start
// that fails within the same microtask run without ever yielding (it would starve the event loop).
const crash = (message: string) =>
  new Promise<void>((_, reject) => setTimeout(() => reject(new Error(message)), 200));

let cluster: SimCluster;
const recorded: (RequestRecord & { lab: string })[] = [];
let currentLab = '';
const results: RunResult[] = [];
const graded = new Set<string>();
/** The requests of the live lab's engine are recorded under this label, apart from Grade's. */
const LIVE = 'live lab';
const liveStates: LiveState[] = [];

beforeAll(async () => {
  let recording = false;
  cluster = await startSimCluster({
    sim: {
      onRequest: (r) => {
        if (recording) recorded.push({ ...r, lab: currentLab });
      },
    },
    // A crash-looping pod whose status says nothing useful: the grader then reads the pod's log
    // (looking for the NFS root_squash chown failure) to explain it.
    wrapRuntime: (rt: PodRuntime): PodRuntime => ({
      start: (pod) =>
        pod.metadata.namespace === CRASHING ? crash('Error: container exited with code 1') : rt.start(pod),
      probeReady: (pod) => rt.probeReady(pod),
      stop: (pod, grace) => rt.stop(pod, grace),
      exec: (pod, c, cmd, io, signal) =>
        pod.metadata.namespace === NO_EXEC && (cmd[0] === 'getent' || cmd[0] === 'nslookup')
          ? Promise.resolve({
              exitCode: 127,
              startError: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${cmd[0]}": executable file not found in $PATH: unknown`,
            })
          : rt.exec(pod, c, cmd, io, signal),
      close: () => rt.close(),
    }),
  });
  const namespacesByLab = new Map<Lab, string[]>();
  for (const [lab, plan] of Object.entries(CLASSES) as [Lab, (Mistake | null)[]][]) {
    // Each lab's class in namespaces of its own (generateClass numbers from 001 for every lab).
    const spec = await loadGeneratedClass(cluster.sim, {
      lab,
      students: plan.length,
      mistakes: plan,
      namespacePrefix: `${lab}-`,
    });
    namespacesByLab.set(
      lab,
      spec.students.map((s) => s.namespace),
    );
  }
  await loadGeneratedClass(cluster.sim, {
    lab: 'redis-exist-pvc',
    students: 2,
    mistakes: [null, null],
    namespaces: [CRASHING, NO_EXEC],
  });
  await cluster.sim.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NOT_STARTED } });
  const all = [...new Set([...namespacesByLab.values()].flat())];
  await waitForReady(cluster.sim, [...all, NO_EXEC], 120_000);
  // The crash-looping pod must have restarted at least once, as it would have by grading time.
  for (const deadline = Date.now() + 60_000; ;) {
    const pod = cluster.sim.view.get('pods', CRASHING, 'statefulset-redis-exist-pvc-0');
    const restarts =
      (pod?.status as { containerStatuses?: { restartCount?: number }[] } | undefined)?.containerStatuses?.[0]
        ?.restartCount ?? 0;
    if (restarts >= 1) break;
    if (Date.now() > deadline)
      throw new Error(`pod ${CRASHING}/statefulset-redis-exist-pvc-0 never restarted`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const kubeConfig = kubeConfigFrom({ kubeconfig: cluster.kubeconfig });
  recording = true;
  for (const lab of listLabs()) {
    const namespaces = namespacesByLab.get(lab.id as Lab);
    if (!namespaces)
      throw new Error(`lab ${lab.id} has no class in this test: add it to CLASSES so its calls are covered`);
    currentLab = lab.id;
    const extra = { 'redis-exist-pvc': [CRASHING, NO_EXEC], 'pv-claimref': [NOT_STARTED] }[lab.id as string];
    for (const namespace of [...namespaces, ...(extra ?? [])]) {
      results.push(await grade({ lab, namespace, kubeConfig, disruptive: true, timeMultiplier: 0.5 }));
      graded.add(namespace);
    }
  }
  // The live lab: its engine watches every kind cluster-wide and evaluates the redis-exist-pvc
  // namespaces (the DNS check execs into their pods) until each has a verdict.
  currentLab = LIVE;
  const liveNamespaces = [...(namespacesByLab.get('redis-exist-pvc') ?? []), NO_EXEC];
  const engine = new LiveEngine({
    kubeConfig,
    onState: (s) => void liveStates.push(s),
    coalesceMs: 50,
    namespaceIntervalMs: 100,
  });
  engine.setTargets(
    liveNamespaces.map((namespace) => ({ namespace, labs: [loadLabById('redis-exist-pvc')] })),
  );
  await engine.start();
  for (
    const deadline = Date.now() + 60_000;
    !liveNamespaces.every((ns) => liveStates.some((s) => s.namespace === ns));
  ) {
    if (Date.now() > deadline) throw new Error('the live engine did not evaluate every namespace');
    await new Promise((r) => setTimeout(r, 100));
  }
  await engine.stop();
  recording = false;
}, 600_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('the grader against kube-sim', () => {
  it('graded every lab, and the correct namespaces passed (so every check really ran)', () => {
    expect(new Set(results.map((r) => r.lab))).toEqual(new Set(listLabs().map((l) => l.id)));
    const correct = results.filter((r) => r.namespace.endsWith('001'));
    expect(
      correct.map((r) => [
        r.lab,
        r.status,
        r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.message}`),
      ]),
    ).toEqual(correct.map((r) => [r.lab, 'passed', []]));
  });

  it('touched no namespace other than the one being graded', () => {
    const namespaces = new Set(recorded.filter((r) => r.namespace).map((r) => r.namespace));
    expect([...namespaces].filter((ns) => !graded.has(ns!))).toEqual([]);
  });
});

describe('deploy/base RBAC', () => {
  const objects = () => kustomize(join(DEPLOY_DIR, 'base'));

  it('grants exactly the calls the grader makes: nothing missing, nothing extra', () => {
    const rendered = objects();
    const role = (name: string) =>
      rendered.find((o) => o.kind === 'ClusterRole' && o.metadata.name === name)!;
    const granted = new Set([
      ...grantsOf(role('kubegrade-grader-cluster'), 'cluster'),
      ...grantsOf(role('kubegrade-grader-namespace'), 'namespace'),
    ]);

    const used = new Set<Grant>();
    for (const r of recorded.filter((x) => x.lab !== LIVE)) {
      const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
      used.add(grant(r.namespace ? 'namespace' : 'cluster', r.group, resource, r.verb));
      // A WebSocket exec is a GET upgrade: API servers before 1.30 authorize it as "get", later
      // ones as "create" (KEP-4006); kube-sim reports "create", so the rule must hold both.
      if (resource === 'pods/exec' && r.verb === 'create')
        used.add(grant('namespace', r.group, resource, 'get'));
    }
    const sorted = (s: Set<Grant>) => [...s].sort();
    expect({
      missing: sorted(used).filter((g) => !granted.has(g)),
      extra: sorted(granted).filter((g) => !used.has(g)),
    }).toEqual({ missing: [], extra: [] });
  });

  it('uses no wildcard anywhere and binds the namespace role only per namespace', () => {
    const rendered = objects();
    const rules = rendered
      .filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')
      .flatMap((o) => (o as unknown as { rules: Rule[] }).rules);
    expect(
      rules.flatMap((r) => [...r.apiGroups, ...r.resources, ...r.verbs]).filter((x) => x.includes('*')),
    ).toEqual([]);
    const clusterBound = rendered
      .filter((o) => o.kind === 'ClusterRoleBinding')
      .map((o) => (o as unknown as { roleRef: { name: string } }).roleRef.name);
    expect(clusterBound).toEqual(['kubegrade-grader-cluster']);
  });
});

describe('the live lab grant (components/live-lab)', () => {
  const used = (): Set<Grant> => {
    const out = new Set<Grant>();
    for (const r of recorded.filter((x) => x.lab === LIVE)) {
      const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
      out.add(grant(r.namespace ? 'namespace' : 'cluster', r.group, resource, r.verb));
      if (resource === 'pods/exec' && r.verb === 'create')
        out.add(grant('namespace', r.group, resource, 'get'));
    }
    return out;
  };

  it('the live engine evaluated every namespace, and its DNS check ran inside the pods', () => {
    expect(
      liveStates.some((s) => s.checks.find((c) => c.id === 'statefulset-ready')?.status === 'pass'),
    ).toBe(true);
    expect([...used()].some((g) => g.endsWith('pods/exec create'))).toBe(true);
  });

  it('adds exactly the cluster-wide list and watch the live engine uses; its in-pod calls are the namespace role', () => {
    const rendered = kustomize(join(DEPLOY_DIR, 'overlays/example-live-lab'));
    const role = (name: string) =>
      rendered.find((o) => o.kind === 'ClusterRole' && o.metadata.name === name)!;
    const live = new Set(grantsOf(role('kubegrade-live-lab'), 'cluster'));
    const namespaced = new Set(grantsOf(role('kubegrade-grader-namespace'), 'namespace'));
    const u = used();
    const sorted = (s: Iterable<Grant>) => [...s].sort();
    const clusterUsed = sorted(u).filter((g) => g.startsWith('cluster '));
    expect({
      missing: clusterUsed.filter((g) => !live.has(g)),
      extra: sorted(live).filter((g) => !u.has(g)),
    }).toEqual({ missing: [], extra: [] });
    expect(sorted(u).filter((g) => g.startsWith('namespace ') && !namespaced.has(g))).toEqual([]);
    // Only list and watch, cluster-wide; bound to the worker alone.
    expect(new Set(sorted(live).map((g) => g.split(' ').at(-1)))).toEqual(new Set(['list', 'watch']));
    const binding = rendered.find(
      (o) => o.kind === 'ClusterRoleBinding' && o.metadata.name === 'kubegrade-live-lab',
    ) as unknown as { subjects: { name: string }[] };
    expect(binding.subjects.map((s) => s.name)).toEqual(['kubegrade-worker']);
  });

  it('is not in the least-privilege install: overlays/example grants no watch beyond pods per namespace', () => {
    const rendered = kustomize(join(DEPLOY_DIR, 'overlays/example'));
    expect(rendered.some((o) => o.metadata.name === 'kubegrade-live-lab')).toBe(false);
    const cluster = rendered
      .filter((o) => o.kind === 'ClusterRoleBinding')
      .map((o) => (o as unknown as { roleRef: { name: string } }).roleRef.name);
    expect(cluster).toEqual(['kubegrade-grader-cluster']);
  });
});
