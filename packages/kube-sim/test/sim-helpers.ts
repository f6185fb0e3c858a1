// Shared helpers for kube-sim's own tests: a real kubectl runner and a polling wait.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProgram, until as waitUntil } from '@kubegrade/testkit';
import { startKubeSim, type KubeObject, type KubeSim, type KubeSimOptions } from '../src/index.ts';

/** Where the chapter's manifests live. */
export const CHAPTER = fileURLToPath(new URL('./fixtures/chapter/', import.meta.url));

/** The kubectl binary the tests drive, or undefined when none is installed. */
export const KUBECTL = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));

/** Why kubectl tests are skipped (printed once). */
export const KUBECTL_SKIP_REASON =
  'kubectl is not installed (looked in /usr/bin and /usr/local/bin): real-kubectl tests skipped';

/** Result of one kubectl run. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A kube-sim plus a kubeconfig file and a kubectl bound to it. */
export interface SimHarness {
  sim: KubeSim;
  kubeconfig: string;
  /** A scratch directory, removed by close(). */
  tmpDir: string;
  kubectl(...args: string[]): Promise<KubectlResult>;
  /** kubectl that must succeed; returns stdout. */
  k(...args: string[]): Promise<string>;
  /** Wait in-process (no kubectl run) until an object satisfies pred; for synchronisation only. */
  waitFor(
    resource: string,
    namespace: string | undefined,
    name: string,
    pred: (o: KubeObject) => boolean,
  ): Promise<KubeObject>;
  close(): Promise<void>;
}

/** Start a kube-sim with a kubeconfig file in a temporary directory. */
export async function startHarness(opts: KubeSimOptions = {}): Promise<SimHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'kube-sim-test-'));
  const sim = await startKubeSim({ podReadyDelayMs: 50, ...opts });
  const kubeconfig = join(dir, 'kubeconfig');
  await sim.writeKubeconfig(kubeconfig);
  const kubectl = async (...args: string[]): Promise<KubectlResult> => {
    if (!KUBECTL) throw new Error(KUBECTL_SKIP_REASON);
    // 90 s: `kubectl delete pod` blocks for the pod's graceful termination, which on a loaded
    // machine (the whole suite runs in parallel) can take tens of seconds.
    const { code, stdout, stderr, killed } = await runProgram(
      KUBECTL,
      ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args],
      { timeoutMs: 90_000 },
    );
    return { code, stdout, stderr: killed ? `${stderr}(killed after 90 s without finishing)` : stderr };
  };
  const k = async (...args: string[]) => {
    const r = await kubectl(...args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };
  const waitFor = (
    resource: string,
    namespace: string | undefined,
    name: string,
    pred: (o: KubeObject) => boolean,
  ) =>
    until(`${resource} ${namespace ? `${namespace}/` : ''}${name}`, () => {
      const o = sim.view.get(resource, namespace, name);
      return o && pred(o) ? o : undefined;
    });
  return {
    sim,
    kubeconfig,
    tmpDir: dir,
    kubectl,
    k,
    waitFor,
    async close() {
      await sim.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Poll fn until it returns a truthy value or the deadline passes (testkit's until, probing every 25 ms). */
export function until<T>(
  what: string,
  fn: () => T | Promise<T>,
  timeoutMs = 10_000,
): Promise<NonNullable<T>> {
  return waitUntil(what, fn, { timeoutMs, intervalMs: 25 });
}

/** Split kubectl table output into rows of columns (header first). */
export function table(out: string): string[][] {
  return out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));
}

/** The row whose first column is name, as a header->value map. */
export function row(out: string, name: string): Record<string, string> {
  const lines = out.trim().split('\n');
  const header = lines[0]!;
  // Column starts come from the header, as kubectl aligns cells under them.
  const starts: number[] = [];
  const names: string[] = [];
  const re = /\S+(?: \S+)*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(header))) {
    starts.push(m.index);
    names.push(m[0]);
  }
  const line = lines.slice(1).find((l) => l.split(/\s+/)[0] === name);
  if (!line) throw new Error(`no row ${name} in:\n${out}`);
  const out2: Record<string, string> = {};
  names.forEach((n, i) => {
    out2[n] = line.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : undefined).trim();
  });
  return out2;
}
