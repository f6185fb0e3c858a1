// Drive exec the way Kubegrade's grader does: @kubernetes/client-node's Exec, unmodified, wrapped
// to resolve on the final Status or on socket close; and the real kubectl binary.
import { existsSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { Exec, KubeConfig, type V1Status } from '@kubernetes/client-node';
import { runProgram } from '@kubegrade/testkit';

/** The outcome of one exec as a client sees it. */
export interface ClientExecResult {
  stdout: string;
  stderr: string;
  status?: V1Status;
  /** The exit code from the Status (0 for Success), or undefined when none arrived. */
  exitCode?: number;
}

/** A KubeConfig for a plain-HTTP kube-sim at `url`. */
export function kubeConfigFor(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'sim', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'test' }],
    contexts: [{ name: 'sim', cluster: 'sim', user: 'u' }],
    currentContext: 'sim',
  });
  return kc;
}

function sink(onData: (s: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      onData(chunk.toString('utf8'));
      cb();
    },
  });
}

/** Run a command through client-node's Exec and wait for it to finish (10 s deadline). */
export async function clientExec(
  kc: KubeConfig,
  ns: string,
  pod: string,
  container: string,
  command: string[],
): Promise<ClientExecResult> {
  let stdout = '';
  let stderr = '';
  let status: V1Status | undefined;
  const ws = await new Exec(kc).exec(
    ns,
    pod,
    container,
    command,
    sink((s) => (stdout += s)),
    sink((s) => (stderr += s)),
    null,
    false,
    (s) => (status = s),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`exec ${command.join(' ')} did not finish in 10 s`)),
      10_000,
    );
    ws.addEventListener('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  let exitCode: number | undefined;
  if (status?.status === 'Success') exitCode = 0;
  else {
    const cause = status?.details?.causes?.find((c) => c.reason === 'ExitCode');
    if (cause?.message) exitCode = Number(cause.message);
  }
  return { stdout, stderr, status, exitCode };
}

/** Where kubectl is, if this machine has it. */
export const KUBECTL = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));

/** Write a kubeconfig kubectl accepts for a plain-HTTP server. */
export function writeKubeconfig(file: string, url: string): void {
  writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: sim\n  cluster:\n    server: ${url}\ncontexts:\n- name: sim\n  context:\n    cluster: sim\n    user: u\ncurrent-context: sim\nusers:\n- name: u\n  user:\n    token: test\n`,
  );
}

/** Run kubectl (with `stdin`, then closed) and collect its output and exit code. */
export async function kubectl(
  kubeconfig: string,
  args: string[],
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await runProgram(
    KUBECTL ?? 'kubectl',
    ['--kubeconfig', kubeconfig, ...args],
    { timeoutMs: 30_000, stdin },
  );
  return { code, stdout, stderr };
}
