// The default PodRuntime: containers "run" without processes, are always ready, and every exec
// fails the way containerd does for a binary missing from the image.

import type { ExecIO, ExecOutcome, KubeObject, PodRuntime } from './runtime-contract.ts';

/** A runtime with no processes: always ready; exec is refused as "executable file not found" (InternalError). */
export class NullRuntime implements PodRuntime {
  async start(_pod: KubeObject): Promise<void> {}

  async probeReady(_pod: KubeObject): Promise<boolean> {
    return true;
  }

  async stop(_pod: KubeObject, _gracePeriodSeconds: number): Promise<void> {}

  async exec(_pod: KubeObject, _container: string, command: string[], _io: ExecIO): Promise<ExecOutcome> {
    const bin = command[0] ?? '';
    return {
      exitCode: 126,
      startError: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${bin}": executable file not found in $PATH: unknown`,
    };
  }

  async close(): Promise<void> {}
}
