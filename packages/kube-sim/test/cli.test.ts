// `kube-sim serve` as a process: prints which pods runtime it uses and a ready line, writes a
// kubeconfig a client can use, and exits cleanly on SIGTERM.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { clientExec } from './exec-helpers.ts';
import { until } from './sim-helpers.ts';

const PKG = fileURLToPath(new URL('..', import.meta.url));
const REDIS = existsSync('/usr/bin/redis-server') || existsSync('/usr/local/bin/redis-server');

interface Served {
  out: () => string;
  kc: k8s.KubeConfig;
  stop(): Promise<number | null>;
}

describe('kube-sim serve', { timeout: 60_000 }, () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  /** Start `kube-sim serve` with extra args/env and wait for its ready line. */
  async function serve(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Served> {
    const dir = await mkdtemp(join(tmpdir(), 'kube-sim-cli-'));
    dirs.push(dir);
    const kubeconfig = join(dir, 'kc.yaml');
    const child: ChildProcessWithoutNullStreams = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', '0', '--write-kubeconfig', kubeconfig, ...args],
      {
        cwd: PKG,
        env: { ...process.env, ...env },
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let out = '';
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('kube-sim ready at')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
      });
    } catch (err) {
      child.kill('SIGTERM');
      throw err;
    }
    const kc = new k8s.KubeConfig();
    kc.loadFromString(await readFile(kubeconfig, 'utf8'));
    return {
      out: () => out,
      kc,
      stop: async () => {
        child.kill('SIGTERM');
        return exited;
      },
    };
  }

  it('prints ready, serves the kubeconfig it wrote, and exits 0 on SIGTERM', async () => {
    const s = await serve();
    try {
      expect(s.out()).toMatch(/kube-sim ready at http:\/\/127\.0\.0\.1:\d+/);
      const namespaces = await s.kc.makeApiClient(k8s.CoreV1Api).listNamespace();
      expect(namespaces.items.map((n) => n.metadata?.name)).toContain('default');
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  const redisPod = {
    metadata: { name: 'r' },
    spec: { containers: [{ name: 'redis', image: 'redis:7.4.4' }] },
  };
  const readyPod = (core: k8s.CoreV1Api) =>
    until('pod r Ready', async () => {
      const p = await core.readNamespacedPod({ name: 'r', namespace: 'default' });
      return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
    });

  it.skipIf(!REDIS)(
    'runs pods with the real pods runtime when redis-server is installed (real Redis behind exec)',
    async () => {
      const s = await serve();
      try {
        expect(s.out()).toMatch(/^kube-sim runtime: pods runtime \(real \/.*redis-server/m);
        const core = s.kc.makeApiClient(k8s.CoreV1Api);
        await core.createNamespacedPod({ namespace: 'default', body: redisPod });
        await readyPod(core);
        const set = await clientExec(s.kc, 'default', 'r', 'redis', ['redis-cli', 'set', 'k', 'v']);
        expect(set.stdout.trim()).toBe('OK');
        const get = await clientExec(s.kc, 'default', 'r', 'redis', ['redis-cli', 'get', 'k']);
        expect(get.stdout.trim()).toBe('v');
      } finally {
        expect(await s.stop()).toBe(0);
      }
    },
  );

  it('--null-runtime (or no redis-server) uses NullRuntime and says so', async () => {
    for (const [args, env, why] of [
      [['--null-runtime'], {}, '--null-runtime given'],
      [
        [],
        { REDIS_SERVER: '/nonexistent/redis-server' },
        'REDIS_SERVER=/nonexistent/redis-server does not exist',
      ],
    ] as const) {
      const s = await serve([...args], env);
      try {
        expect(s.out()).toContain(`kube-sim runtime: NullRuntime (${why})`);
        const core = s.kc.makeApiClient(k8s.CoreV1Api);
        await core.createNamespacedPod({ namespace: 'default', body: redisPod });
        await readyPod(core);
        const r = await clientExec(s.kc, 'default', 'r', 'redis', ['redis-cli', 'ping']);
        expect(r.status).toMatchObject({ status: 'Failure', reason: 'InternalError' });
      } finally {
        expect(await s.stop()).toBe(0);
      }
    }
  });

  it('rejects a bad port with a message and exit code 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', 'eighty'], {
      cwd: PKG,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(err).toContain('--port must be an integer between 0 and 65535, got "eighty"');
  });
});
