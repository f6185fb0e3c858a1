// The grader's API requests share kept-alive connections (client-node alone opens one per request;
// against a real apiserver each would be a TLS handshake). Counted at a TCP relay in front of kube-sim.
// And each request has a deadline of its own, shorter than the run's.
import { createServer, connect, type Server } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { startKubeSim, type KubeSim } from '@kubegrade/kube-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../src/kube/cluster.ts';
import { ClusterError } from '../src/errors.ts';

let sim: KubeSim;
let relay: Server;
let connections = 0;

function kubeConfigFor(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'sim', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: sim.token }],
    contexts: [{ name: 'c', cluster: 'sim', user: 'u' }],
    currentContext: 'c',
  });
  return kc;
}

beforeAll(async () => {
  sim = await startKubeSim();
  const target = Number(new URL(sim.url).port);
  relay = createServer((client) => {
    connections++;
    const upstream = connect(target, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  relay?.close();
  await sim?.stop();
});

describe('API connections', () => {
  it('one run reuses its connections, and the next run on the same KubeConfig too', async () => {
    const address = relay.address();
    if (!address || typeof address === 'string') throw new Error('relay not listening');
    const kc = kubeConfigFor(`http://127.0.0.1:${address.port}`);
    const run = () => new Cluster(kc, { signal: new AbortController().signal, requestTimeoutMs: 10_000 });
    const first = run();
    for (let i = 0; i < 5; i++) {
      expect(await first.readPod('default', `nothing-${i}`)).toBeUndefined();
      await first.persistentVolumes();
      first.invalidate();
    }
    const second = run();
    for (let i = 0; i < 5; i++) expect(await second.readStatefulSet('default', `none-${i}`)).toBeUndefined();
    // 15 requests one after another: one connection (a new one per request without the pool).
    expect(connections).toBe(1);
  });
});

describe('request deadline', () => {
  it('a request the API server answers after the deadline fails as a timeout, while the run goes on', async () => {
    const cluster = new Cluster(kubeConfigFor(sim.url), {
      signal: new AbortController().signal,
      requestTimeoutMs: 300,
    });
    sim.faults.set({ latencyMs: 3000 });
    try {
      const err = await cluster.readPod('default', 'slow').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClusterError);
      expect((err as ClusterError).kind).toBe('timeout');
      expect((err as ClusterError).message).toMatch(/no answer from the API server in time/);
    } finally {
      sim.faults.clear();
    }
    // The next request, answered in time, is not cut short by the earlier one's deadline.
    expect(await cluster.readPod('default', 'slow')).toBeUndefined();
  });
});
