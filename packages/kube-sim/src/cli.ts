#!/usr/bin/env -S npx tsx
// `kube-sim serve --port <p> --write-kubeconfig <file>`: run a simulated cluster until SIGTERM/SIGINT.

import { parseArgs } from 'node:util';
import { startKubeSim } from './index.ts';

const USAGE = `usage: kube-sim serve [--port <port>] [--write-kubeconfig <file>] [--pod-ready-delay-ms <ms>] [--data-dir <dir>]`;

/** Parse argv and run the requested command; resolves with the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'serve') {
    process.stderr.write(`${USAGE}\n`);
    return command === '--help' || command === '-h' ? 0 : 2;
  }
  let values: { port?: string; 'write-kubeconfig'?: string; 'pod-ready-delay-ms'?: string; 'data-dir'?: string };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        port: { type: 'string' },
        'write-kubeconfig': { type: 'string' },
        'pod-ready-delay-ms': { type: 'string' },
        'data-dir': { type: 'string' },
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
  const sim = await startKubeSim({ port, podReadyDelayMs: delay, dataDir: values['data-dir'] });
  if (values['write-kubeconfig']) await sim.writeKubeconfig(values['write-kubeconfig']);
  process.stdout.write(`kube-sim ready at ${sim.url}${values['write-kubeconfig'] ? ` (kubeconfig: ${values['write-kubeconfig']})` : ''}\n`);
  await new Promise<void>((resolve) => {
    const onSignal = () => resolve();
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  await sim.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`kube-sim: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
