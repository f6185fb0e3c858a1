// Inside the pod, as the chapter's part 5 and the grader see it: the same execs (through the
// grader's own execInPod over client-node, and through kubectl) in the chapter's lab-B namespace on
// kube-sim and on the real cluster, compared after replacing what differs by nature (pod IPs,
// exec ids). Covers redis-cli (also reading its commands from stdin), an exit code, getent from
// /etc/hosts and from DNS, the missing nslookup, what kubectl prints for each, and the chapter's
// SET, SAVE, delete pod, GET.
import { KubeConfig } from '@kubernetes/client-node';
// The grader's own exec (client-node Exec wrapped with deadlines), as the checks use it.
import { execInPod } from '../../grader/src/kube/exec.ts';
import { applyScenario, chapterManifests, kubeTarget, podReady, STS_B } from '@kubegrade/grader/scenarios';
import { startSim } from '@kubegrade/grader/sim-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProgram, until } from '@kubegrade/testkit';
import { adminKubeConfig, emptyCluster, realCluster } from './real.ts';

const POD = `${STS_B}-0`;
/** Name, command, and what is written to its stdin (then closed) when given. */
const PROBES: [string, string[], string?][] = [
  ['redis-cli ping', ['redis-cli', 'ping']],
  // As redis-persistence sends its commands: one redis-cli reading them from stdin (exec v5).
  [
    'redis-cli with commands on stdin',
    ['redis-cli'],
    'SET kg:probe 1a2b\nSAVE\nGETX\nGET kg:probe\nDEL kg:probe\nGET kg:probe\n"SET" "kg:q" "x y\\x41"\nGETDEL kg:q\n',
  ],
  ['redis-cli SET and GET', ['sh', '-c', 'redis-cli SET testkey "Hello, Redis!" && redis-cli GET testkey']],
  ['a non-zero exit', ['sh', '-c', 'exit 3']],
  ['hostname', ['hostname']],
  ['the pod FQDN from /etc/hosts', ['getent', 'hosts', `${POD}.redis-exist-pvc.shiqi.svc.cluster.local`]],
  ['the Service name from DNS', ['getent', 'hosts', 'service-headless-redis-exist-pvc']],
  [
    'the per-pod name through DNS only (Service name != serviceName)',
    ['getent', 'hosts', `${POD}.redis-exist-pvc.shiqi.svc`],
  ],
  ['the missing nslookup', ['nslookup', `${POD}.service-headless-redis-exist-pvc`]],
  ['/etc/hosts (the chapter shows it)', ['cat', '/etc/hosts']],
];

interface Seen {
  grader: string;
  kubectl: string;
}

/** Replaces what differs between any two clusters by nature: pod IPs, exec ids, column padding. */
function normalise(text: string, podIp: string): string {
  return text
    .split(podIp)
    .join('<pod-ip>')
    .replace(/failed to start exec "[0-9a-f]+"/g, 'failed to start exec "<id>"')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

async function kubectlRun(bin: string, kubeconfig: string, args: string[], stdin?: string): Promise<string> {
  const r = await runProgram(bin, ['--kubeconfig', kubeconfig, ...args], { timeoutMs: 60_000, stdin });
  return `exit ${r.code}\n${r.stdout}${r.stderr}`;
}

async function probe(
  kc: KubeConfig,
  kubectlBin: string,
  kubeconfigFile: string,
): Promise<Record<string, Seen>> {
  const core = (await import('@kubernetes/client-node')).CoreV1Api;
  const pod = await kc.makeApiClient(core).readNamespacedPod({ name: POD, namespace: 'shiqi' });
  const ip = pod.status?.podIP ?? '(none)';
  const out: Record<string, Seen> = {};
  for (const [name, command, stdin] of PROBES) {
    const r = await execInPod(kc, {
      namespace: 'shiqi',
      pod: POD,
      container: 'redis',
      command,
      timeoutMs: 20_000,
      stdin,
    });
    const grader =
      r.kind === 'exited' ? `exited ${r.exitCode}\n${r.stdout}${r.stderr}` : `not started: ${r.reason}`;
    const kubectl = await kubectlRun(
      kubectlBin,
      kubeconfigFile,
      ['exec', ...(stdin === undefined ? [] : ['-i']), '-n', 'shiqi', POD, '-c', 'redis', '--', ...command],
      stdin,
    );
    out[name] = { grader: normalise(grader, ip), kubectl: normalise(kubectl, ip) };
  }
  // The chapter's procedure, with kubectl: SET testkey, SAVE, delete the pod, wait for the new one, GET.
  const k = (...args: string[]) => kubectlRun(kubectlBin, kubeconfigFile, args);
  const uid = () => k('get', 'pod', POD, '-n', 'shiqi', '-o', 'jsonpath={.metadata.uid}');
  const before = await uid();
  const steps = [
    await k('exec', '-n', 'shiqi', POD, '--', 'redis-cli', 'SET', 'testkey', 'Hello, Redis!'),
    await k('exec', '-n', 'shiqi', POD, '--', 'redis-cli', 'SAVE'),
    (await k('delete', 'pod', POD, '-n', 'shiqi')).replace(/ from shiqi namespace/, ''),
  ];
  await until('the StatefulSet to re-create the pod', async () => (await uid()) !== before, {
    timeoutMs: 180_000,
    intervalMs: 500,
  });
  steps.push(await k('wait', '--for=condition=Ready', `pod/${POD}`, '-n', 'shiqi', '--timeout=180s'));
  steps.push(await k('exec', '-n', 'shiqi', POD, '--', 'redis-cli', 'GET', 'testkey'));
  out['SET testkey, SAVE, delete pod, wait, GET (kubectl)'] = {
    grader: (await uid()) !== before ? 'new pod uid' : 'same pod uid',
    kubectl: steps.map((x) => normalise(x, ip)).join('\n'),
  };
  return out;
}

describe.skipIf(!realCluster)('execs in the chapter pod: kube-sim and the real cluster answer alike', () => {
  let sim: Record<string, Seen>;
  let real: Record<string, Seen>;
  const scenario = (steps: ReturnType<typeof chapterManifests>) => ({
    lab: 'redis-exist-pvc' as const,
    namespace: 'shiqi',
    title: 'the chapter',
    steps: [{ apply: steps }, podReady('shiqi', POD)],
    expect: {},
    redisPods: 1,
  });

  beforeAll(async () => {
    const env = await startSim();
    try {
      await applyScenario(kubeTarget(env.kc), scenario(chapterManifests()));
      sim = await probe(env.kc, realCluster!.kubectl, env.kubeconfigFile);
    } finally {
      await env.stop();
    }
    await emptyCluster(['shiqi']);
    const kc = adminKubeConfig();
    await applyScenario(kubeTarget(kc, { timeMultiplier: 3 }), scenario(chapterManifests()));
    real = await probe(kc, realCluster!.kubectl, realCluster!.kubeconfig);
    await emptyCluster(['shiqi']);
  });

  afterAll(() => {
    if (real) console.log(`[exec] real cluster:\n${JSON.stringify(real, null, 1)}`);
  });

  for (const name of [...PROBES.map(([n]) => n), 'SET testkey, SAVE, delete pod, wait, GET (kubectl)']) {
    it(`${name}: the grader's exec and kubectl see the same`, () => {
      expect(sim[name], `kube-sim vs real cluster: ${name}`).toEqual(real[name]);
    });
  }

  it('the redis image answers redis-cli, has no nslookup, and testkey survives the pod delete with real kubectl', () => {
    expect(real['redis-cli ping']?.grader).toBe('exited 0\nPONG');
    expect(real['SET testkey, SAVE, delete pod, wait, GET (kubectl)']).toEqual({
      grader: 'new pod uid',
      kubectl:
        'exit 0\nOK\nexit 0\nOK\nexit 0\npod "statefulset-redis-exist-pvc-0" deleted\nexit 0\npod/statefulset-redis-exist-pvc-0 condition met\nexit 0\nHello, Redis!',
    });
    // One reply per line read, an error reply followed by an empty line, nil as an empty line.
    expect(real['redis-cli with commands on stdin']?.grader).toMatch(
      /^exited 0\nOK\nOK\nERR unknown command 'GETX'[^\n]*\n\n1a2b\n1\n\nOK\nx yA$/,
    );
    expect(real['the missing nslookup']?.grader).toMatch(
      /^not started: .*executable file not found in \$PATH/,
    );
  });
});
