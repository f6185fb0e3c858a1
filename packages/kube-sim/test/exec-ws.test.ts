// exec-ws against a bare HTTP server (no API server): real client-node Exec and real kubectl.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleExecUpgrade } from '../src/exec-ws.ts';
import { Faults } from '../src/faults.ts';
import { createPodRuntime, findRedisServer, type SimPodRuntime } from '../src/runtime/index.ts';
import { startRedisServer } from '../src/runtime/redis-process.ts';
import type { KubeObject } from '../src/runtime-contract.ts';
import { clientExec, KUBECTL, kubeConfigFor, kubectl, writeKubeconfig } from './exec-helpers.ts';
import { MemoryView, podObject, redisContainer } from './runtime-helpers.ts';
import { until } from './sim-helpers.ts';
import { runProgram } from '@kubegrade/testkit';

const ns = 'shiqi';
let dir: string;
let server: http.Server;
let rt: SimPodRuntime;
let url: string;
let kubeconfig: string;
const faults = new Faults();
// Required, never skipped: .ci/run installs redis-server (and redis-cli with it).
const redisServer = findRedisServer() ?? 'redis-server';
const view = new MemoryView();
const pods = new Map<string, KubeObject>();

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'kube-sim-exec-'));
  rt = createPodRuntime({ dataDir: dir, view });
  const redis = podObject(
    ns,
    'statefulset-redis-exist-pvc-0',
    {
      containers: [redisContainer()],
      hostname: 'statefulset-redis-exist-pvc-0',
      subdomain: 'redis-exist-pvc',
    },
    '10.244.3.4',
  );
  const pending = {
    ...podObject(ns, 'pending-0', { containers: [redisContainer()] }, '10.244.3.5'),
    status: { phase: 'Pending' },
  };
  for (const p of [redis, pending]) {
    pods.set(p.metadata.name, p);
    view.put('pods', p);
  }
  await rt.start(redis);
  server = http.createServer((req, res) => {
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/?]+)$/.exec(req.url ?? '');
    const pod = m ? pods.get(m[2] ?? '') : undefined;
    res.setHeader('Content-Type', 'application/json');
    // Just enough discovery for kubectl to find pods.
    const discovery: Record<string, unknown> = {
      '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
      '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [] },
      '/api/v1': {
        kind: 'APIResourceList',
        groupVersion: 'v1',
        resources: [
          {
            name: 'pods',
            singularName: 'pod',
            namespaced: true,
            kind: 'Pod',
            verbs: ['get', 'list'],
            shortNames: ['po'],
          },
          {
            name: 'pods/exec',
            singularName: '',
            namespaced: true,
            kind: 'PodExecOptions',
            verbs: ['create', 'get'],
          },
        ],
      },
    };
    const path0 = (req.url ?? '').split('?')[0] ?? '';
    if (req.method === 'GET' && discovery[path0]) {
      res.end(JSON.stringify(discovery[path0]));
      return;
    }
    if (req.method === 'GET' && pod) {
      res.end(JSON.stringify(pod));
      return;
    }
    res.statusCode = 404;
    res.end(
      JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        reason: 'NotFound',
        code: 404,
        message: `not found: ${req.url}`,
      }),
    );
  });
  server.on('upgrade', (req, socket, head) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(u.pathname);
    const pod = m ? pods.get(m[2] ?? '') : undefined;
    if (!pod) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    handleExecUpgrade(req, socket, head, {
      pod,
      container: u.searchParams.get('container') ?? '',
      command: u.searchParams.getAll('command'),
      runtime: rt,
      faults,
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  kubeconfig = path.join(dir, 'kubeconfig');
  writeKubeconfig(kubeconfig, url);
});

afterAll(async () => {
  await rt.close();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('exec over WebSocket with @kubernetes/client-node', { timeout: 30_000 }, () => {
  it('runs redis-cli and reports Success', async () => {
    const kc = kubeConfigFor(url);
    const set = await clientExec(kc, ns, 'statefulset-redis-exist-pvc-0', 'redis', [
      'redis-cli',
      'SET',
      'testkey',
      'Hello, Redis!',
    ]);
    expect(set).toMatchObject({ stdout: 'OK\n', stderr: '', exitCode: 0 });
    const get = await clientExec(kc, ns, 'statefulset-redis-exist-pvc-0', 'redis', [
      'redis-cli',
      'GET',
      'testkey',
    ]);
    expect(get.stdout).toBe('Hello, Redis!\n');
  });

  it('reports a command missing from the image as containerd does: InternalError with the runtime message, no exit code', async () => {
    const r = await clientExec(kubeConfigFor(url), ns, 'statefulset-redis-exist-pvc-0', 'redis', [
      'nslookup',
      'redis-exist-pvc',
    ]);
    expect(r.exitCode).toBeUndefined();
    expect(r.status).toMatchObject({ status: 'Failure', reason: 'InternalError', code: 500 });
    expect(r.status?.message).toContain(
      'OCI runtime exec failed: exec failed: unable to start container process: exec: "nslookup": executable file not found in $PATH: unknown',
    );
    expect(r.stderr).toBe('');
  });

  it('encodes a non-zero exit as NonZeroExitCode with an ExitCode cause', async () => {
    const r = await clientExec(kubeConfigFor(url), ns, 'statefulset-redis-exist-pvc-0', 'redis', [
      'getent',
      'hosts',
      'no-such-service',
    ]);
    expect(r.status?.details?.causes).toEqual([{ reason: 'ExitCode', message: '2' }]);
  });

  it('makes the switched-on exec fault visible to the client as a failed upgrade', async () => {
    faults.set({ execFails: [{ namespace: ns, pod: 'statefulset-redis-exist-pvc-0' }] });
    try {
      await expect(
        clientExec(kubeConfigFor(url), ns, 'statefulset-redis-exist-pvc-0', 'redis', ['redis-cli', 'ping']),
      ).rejects.toThrow(/500/);
    } finally {
      faults.clear();
    }
    expect(
      (
        await clientExec(kubeConfigFor(url), ns, 'statefulset-redis-exist-pvc-0', 'redis', [
          'redis-cli',
          'ping',
        ])
      ).stdout,
    ).toBe('PONG\n');
  });
});

/** Open an exec WebSocket with one subprotocol and collect every frame until the server closes. */
async function rawExec(
  protocol: string,
  command: string[],
): Promise<{ protocol: string; frames: (Buffer | string)[] }> {
  const { WebSocket } = await import('ws');
  const q = new URLSearchParams({ stdout: 'true', stderr: 'true', container: 'redis' });
  for (const c of command) q.append('command', c);
  const ws = new WebSocket(
    `${url.replace('http', 'ws')}/api/v1/namespaces/${ns}/pods/statefulset-redis-exist-pvc-0/exec?${q}`,
    [protocol],
  );
  const frames: (Buffer | string)[] = [];
  ws.on('message', (data: Buffer, isBinary: boolean) => frames.push(isBinary ? data : data.toString('utf8')));
  await new Promise((resolve, reject) => {
    ws.once('close', resolve);
    ws.once('error', reject);
  });
  return { protocol: ws.protocol, frames };
}

describe('subprotocol encodings', { timeout: 30_000 }, () => {
  it('base64 variants carry the channel as an ASCII digit and the data base64-encoded', async () => {
    const r = await rawExec('v4.base64.channel.k8s.io', ['redis-cli', 'ping']);
    expect(r.protocol).toBe('v4.base64.channel.k8s.io');
    expect(r.frames).toContain(`1${Buffer.from('PONG\n').toString('base64')}`);
    expect(r.frames.at(-1)).toBe(
      `3${Buffer.from(JSON.stringify({ metadata: {}, status: 'Success' })).toString('base64')}`,
    );
  });

  it('pre-v4 channel.k8s.io sends the failure message as text and nothing on success', async () => {
    const fail = await rawExec('channel.k8s.io', ['getent', 'hosts', 'nope']);
    const last = fail.frames.at(-1) as Buffer;
    expect(last[0]).toBe(3);
    expect(last.subarray(1).toString()).toBe(
      "command terminated with non-zero exit code: command 'getent hosts nope' exited with 2",
    );
    const ok = await rawExec('channel.k8s.io', ['true']);
    expect(ok.frames.every((f) => (f as Buffer)[0] !== 3)).toBe(true);
  });
});

describe.skipIf(!KUBECTL)('exec with the real kubectl', { timeout: 30_000 }, () => {
  it('runs the chapter commands and shows their output', async () => {
    let r = await kubectl(kubeconfig, [
      'exec',
      '-n',
      ns,
      'statefulset-redis-exist-pvc-0',
      '--',
      'redis-cli',
      'SET',
      'testkey',
      'Hello, Redis!',
    ]);
    expect(r).toMatchObject({ code: 0, stdout: 'OK\n' });
    r = await kubectl(kubeconfig, [
      'exec',
      '-n',
      ns,
      'statefulset-redis-exist-pvc-0',
      '--',
      'redis-cli',
      'GET',
      'testkey',
    ]);
    expect(r).toMatchObject({ code: 0, stdout: 'Hello, Redis!\n' });
    r = await kubectl(kubeconfig, [
      'exec',
      '-n',
      ns,
      'statefulset-redis-exist-pvc-0',
      '--',
      'cat',
      '/etc/hosts',
    ]);
    expect(r.stdout).toContain(
      '10.244.3.4\tstatefulset-redis-exist-pvc-0.redis-exist-pvc.shiqi.svc.cluster.local\tstatefulset-redis-exist-pvc-0\n',
    );
  });

  /** `kubectl exec -i ... -- redis-cli`: redis-cli reading its commands from stdin. */
  const redisCliOnStdin = ['exec', '-i', '-n', ns, 'statefulset-redis-exist-pvc-0', '--', 'redis-cli'];

  it('feeds stdin to redis-cli with -i', async () => {
    const r = await kubectl(kubeconfig, redisCliOnStdin, 'SET fromstdin 42\nGET fromstdin\n');
    expect(r).toMatchObject({ code: 0, stdout: 'OK\n42\n' });
  });

  it('answers each line on stdin as it comes, before stdin is closed', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(KUBECTL as string, ['--kubeconfig', kubeconfig, ...redisCliOnStdin]);
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const closed = new Promise((resolve) => child.once('close', resolve));
    try {
      child.stdin.write('SET streamed 1\n');
      await until('the first answer', async () => stdout === 'OK\n');
      // A line for the real redis-cli next, then a plain one: both answered before the close.
      child.stdin.write('SET streamed "two words"\nGET streamed\n');
      await until('the next answers', async () => stdout === 'OK\nOK\ntwo words\n');
    } finally {
      child.stdin.end();
      await closed;
    }
  });

  it('prints for commands on stdin what the real redis-cli prints, byte for byte', async () => {
    // Plain lines are answered without the process; a repeat count, a quoted word and what follows
    // them go to the real redis-cli, as does an empty line. Fresh keys, so both servers start alike.
    const input = [
      'SET pipe:a 1',
      'GETX pipe:a',
      'GET pipe:none',
      'INCR pipe:a',
      'SAVE',
      'RPUSH pipe:l x y',
      'LRANGE pipe:l 0 -1',
      'DEL pipe:l',
      '2 INCR pipe:a',
      'SET pipe:q "x y\\x41"',
      '',
      'GET pipe:q',
      'DEL pipe:a pipe:q',
    ]
      .map((l) => `${l}\n`)
      .join('');
    const twin = await startRedisServer({ bin: redisServer, dir: mkdtempSync(path.join(dir, 'twin-')) });
    try {
      const real = await runProgram(
        path.join(path.dirname(redisServer), 'redis-cli'),
        ['-p', String(twin.port)],
        {
          timeoutMs: 20_000,
          stdin: input,
        },
      );
      expect(real.code).toBe(0);
      expect(real.stdout).toContain('ERR unknown command');
      expect(real.stdout).toContain('x yA\n');
      const ours = await kubectl(kubeconfig, redisCliOnStdin, input);
      expect(ours).toMatchObject({ code: 0, stdout: real.stdout });
    } finally {
      await twin.stop(2000);
    }
  });

  it('fails with the runtime message for nslookup in a redis image, as kubectl shows it on containerd', async () => {
    const r = await kubectl(kubeconfig, [
      'exec',
      '-n',
      ns,
      'statefulset-redis-exist-pvc-0',
      '--',
      'nslookup',
      'redis-exist-pvc',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error: Internal error occurred: Internal error occurred: error executing command in container',
    );
    expect(r.stderr).toContain('exec: "nslookup": executable file not found in $PATH: unknown');
    expect(r.stderr).not.toContain('command terminated with exit code');
  });

  it('shows the API errors for a wrong container and a pod that is not running', async () => {
    let r = await kubectl(kubeconfig, [
      'exec',
      '-n',
      ns,
      'statefulset-redis-exist-pvc-0',
      '-c',
      'nope',
      '--',
      'true',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('container nope is not valid for pod statefulset-redis-exist-pvc-0');
    r = await kubectl(kubeconfig, ['exec', '-n', ns, 'pending-0', '--', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('container not found ("redis")');
  });
});
