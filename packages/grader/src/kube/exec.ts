// A safe wrapper around @kubernetes/client-node's Exec. Exec.exec() resolves when the WebSocket
// opens, not when the command ends, and the status frame is sometimes never sent; so this resolves
// on the status frame or on the socket closing, under a hard timeout, and tells apart a command that
// could not start from one that ran and failed.
import { PassThrough, Writable } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import { ClusterError, DeadlineError, StdinCloseUnsupported } from '../errors.ts';

/** How an exec ended. exitCode null: the stream closed without a status (judge by the output). */
export type ExecResult =
  | { kind: 'exited'; exitCode: number | null; stdout: string; stderr: string }
  | { kind: 'not-started'; reason: string; stdout: string; stderr: string };

/** What to run where. */
export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * Written to the command's stdin, which is then closed. Closing stdin needs the v5 exec protocol
   * (Kubernetes 1.30+); on an older API server the exec is not run and StdinCloseUnsupported is thrown.
   */
  stdin?: string;
}

/** The exec subprotocol that can close stdin (client-node sends the close when the stream ends). */
const STDIN_CLOSE_PROTOCOL = 'v5.channel.k8s.io';

class Collector extends Writable {
  private chunks: Buffer[] = [];
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    cb();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Interprets the exec status frame: exit code, or why the command never started. */
export function interpretStatus(status: V1Status): { exitCode: number } | { notStarted: string } {
  if (status.status === 'Success') return { exitCode: 0 };
  const causes = status.details?.causes ?? [];
  const exitCause = causes.find((c) => c.reason === 'ExitCode');
  const code = exitCause?.message !== undefined ? Number(exitCause.message) : NaN;
  if (Number.isInteger(code)) {
    // 126/127 are the runtime's "cannot execute" / "not found": the command never ran.
    if (code === 126 || code === 127) return { notStarted: status.message ?? `exit code ${code}` };
    return { exitCode: code };
  }
  return { notStarted: status.message ?? 'the command could not be started' };
}

function connectError(err: unknown, where: string): ClusterError {
  const msg =
    err instanceof Error
      ? err.message
      : typeof err === 'object' && err && 'message' in err
        ? String((err as { message: unknown }).message)
        : String(err);
  const m = /Unexpected server response: (\d{3})/.exec(msg);
  const code = m ? Number(m[1]) : undefined;
  if (code === 403)
    return new ClusterError(
      'forbidden',
      `exec into ${where}: forbidden (403); the grader needs create/get on pods/exec`,
      403,
    );
  if (code === 401)
    return new ClusterError('unauthorized', `exec into ${where}: credentials rejected (401)`, 401);
  if (code === 429) return new ClusterError('throttled', `exec into ${where}: throttled (429)`, 429);
  if (code !== undefined && code >= 500)
    return new ClusterError('server', `exec into ${where}: the API server failed (${code})`, code);
  if (code !== undefined)
    return new ClusterError('unexpected', `exec into ${where}: the API server answered ${code}`, code);
  if (/ECONNREFUSED|ECONNRESET|ENOTFOUND|socket hang up/i.test(msg))
    return new ClusterError('unreachable', `exec into ${where}: cannot reach the API server (${msg})`);
  return new ClusterError('unexpected', `exec into ${where}: ${msg}`);
}

/** Runs a command in a container (stdout+stderr attached, no TTY, stdin only when given) and waits for it to end. */
export async function execInPod(kc: KubeConfig, req: ExecRequest): Promise<ExecResult> {
  const where = `${req.namespace}/${req.pod}`;
  if (req.signal?.aborted) throw new ClusterError('cancelled', `exec into ${where}: cancelled`);
  const stdout = new Collector();
  const stderr = new Collector();
  const stdin = req.stdin === undefined ? null : new PassThrough();
  let status: V1Status | undefined;
  const exec = new Exec(kc);

  return await new Promise<ExecResult>((resolve, reject) => {
    let settled = false;
    let socket: { close(): void; on?(ev: string, fn: () => void): void } | undefined;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      try {
        socket?.close();
      } catch {
        // already closed
      }
      fn();
    };
    const settleFromStatus = () =>
      finish(() => {
        if (!status) {
          resolve({ kind: 'exited', exitCode: null, stdout: stdout.text(), stderr: stderr.text() });
          return;
        }
        const s = interpretStatus(status);
        if ('exitCode' in s)
          resolve({ kind: 'exited', exitCode: s.exitCode, stdout: stdout.text(), stderr: stderr.text() });
        else
          resolve({
            kind: 'not-started',
            reason: s.notStarted,
            stdout: stdout.text(),
            stderr: stderr.text(),
          });
      });
    const timer = setTimeout(
      () =>
        finish(() => reject(new DeadlineError(`exec "${req.command.join(' ')}" in ${where}`, req.timeoutMs))),
      req.timeoutMs,
    );
    const onAbort = () =>
      finish(() =>
        reject(
          new ClusterError(
            'timeout',
            `exec into ${where}: the check's deadline passed or the run was cancelled`,
          ),
        ),
      );
    req.signal?.addEventListener('abort', onAbort, { once: true });

    exec
      .exec(req.namespace, req.pod, req.container, req.command, stdout, stderr, stdin, false, (s) => {
        status = s;
        // Output frames can still be in flight; the socket closes right after the status frame.
        setImmediate(settleFromStatus);
      })
      .then((ws) => {
        socket = ws;
        if (settled) {
          ws.close();
          return;
        }
        if (stdin) {
          if (ws.protocol !== STDIN_CLOSE_PROTOCOL) {
            // The command waits on a stdin that cannot be closed: end it before it reads anything.
            finish(() =>
              reject(
                new StdinCloseUnsupported(
                  `exec into ${where}: the API server chose exec protocol "${ws.protocol}", which cannot close stdin`,
                ),
              ),
            );
            return;
          }
          stdin.end(req.stdin);
        }
        ws.on('close', () => setImmediate(settleFromStatus));
      })
      .catch((err: unknown) => finish(() => reject(connectError(err, where))));
  });
}
