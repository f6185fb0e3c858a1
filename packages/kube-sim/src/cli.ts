#!/usr/bin/env -S npx tsx
// `kube-sim serve --port <p> --write-kubeconfig <file>`: run a simulated cluster until SIGTERM/SIGINT.
// Pods get the real pods runtime (redis-server processes, exec, cluster DNS) when redis-server is
// installed, NullRuntime otherwise or with --null-runtime; the first output line says which.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { NullRuntime } from './null-runtime.ts';
import { createPodRuntime, findRedisServer } from './runtime/index.ts';
import type { PodRuntime } from './runtime-contract.ts';
import { startKubeSim } from './index.ts';

const USAGE = `usage: kube-sim serve [--port <port>] [--write-kubeconfig <file>] [--pod-ready-delay-ms <ms>] [--data-dir <dir>] [--null-runtime]`;

/** Parse argv and run the requested command; resolves with the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'serve') {
    process.stderr.write(`${USAGE}\n`);
    return command === '--help' || command === '-h' ? 0 : 2;
  }
  let values: {
    port?: string;
    'write-kubeconfig'?: string;
    'pod-ready-delay-ms'?: string;
    'data-dir'?: string;
    'null-runtime'?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        port: { type: 'string' },
        'write-kubeconfig': { type: 'string' },
        'pod-ready-delay-ms': { type: 'string' },
        'data-dir': { type: 'string' },
        'null-runtime': { type: 'boolean' },
      },
    }));
  } catch (err) {
    process.stderr.write(`kube-sim: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`kube-sim: --port must be an integer between 0 and 65535, got "${values.port}"\n`);
    return 2;
  }
  const delay = values['pod-ready-delay-ms'] === undefined ? undefined : Number(values['pod-ready-delay-ms']);
  const redisServer = values['null-runtime'] ? undefined : findRedisServer();
  // The pods runtime and kube-sim share one data directory; a temporary one is removed at exit.
  const ownDataDir =
    redisServer && !values['data-dir'] ? await mkdtemp(join(tmpdir(), 'kube-sim-')) : undefined;
  const dataDir = values['data-dir'] ?? ownDataDir;
  let runtime: PodRuntime;
  if (redisServer) {
    const cli = join(dirname(redisServer), 'redis-cli');
    runtime = createPodRuntime({
      dataDir: dataDir!,
      redisServer,
      ...(existsSync(cli) ? { redisCli: cli } : {}),
    });
    process.stdout.write(`kube-sim runtime: pods runtime (real ${redisServer}, exec, cluster DNS)\n`);
  } else {
    runtime = new NullRuntime();
    const why = values['null-runtime']
      ? '--null-runtime given'
      : process.env.REDIS_SERVER
        ? `REDIS_SERVER=${process.env.REDIS_SERVER} does not exist`
        : 'no redis-server in /usr/bin or /usr/local/bin (set REDIS_SERVER)';
    process.stdout.write(
      `kube-sim runtime: NullRuntime (${why}): no processes in pods, readiness always passes, exec is refused\n`,
    );
  }
  const sim = await startKubeSim({ port, podReadyDelayMs: delay, dataDir, runtime });
  if (values['write-kubeconfig']) await sim.writeKubeconfig(values['write-kubeconfig']);
  process.stdout.write(
    `kube-sim ready at ${sim.url}${values['write-kubeconfig'] ? ` (kubeconfig: ${values['write-kubeconfig']})` : ''}\n`,
  );
  await new Promise<void>((resolve) => {
    const onSignal = () => resolve();
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  await sim.stop();
  if (ownDataDir) await rm(ownDataDir, { recursive: true, force: true });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`kube-sim: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
