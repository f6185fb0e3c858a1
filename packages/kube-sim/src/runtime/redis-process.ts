// One real redis-server per Redis container incarnation. Children are started through
// `setpriv --pdeathsig SIGTERM` (util-linux, always present on Debian) so the kernel signals them
// when the process that spawned them dies, even by SIGKILL: no orphaned servers after a crash.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';

/** A running (or exited) redis-server. */
export interface RedisProcess {
  readonly pid: number;
  readonly port: number;
  readonly dir: string;
  /** Resolves with the exit code (null when killed by a signal) once the process is gone. */
  readonly exited: Promise<number | null>;
  isRunning(): boolean;
  /** The last lines the server logged. */
  logTail(): string[];
  /** SIGTERM (Redis saves on shutdown), then SIGKILL if still alive after graceMs. */
  stop(graceMs: number): Promise<void>;
}

/** Raised when a redis-server cannot be started; the message carries its log tail. */
export class RedisStartError extends Error {
  override readonly name = 'RedisStartError';
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

/** Whether children are tied to this process's life by the kernel (parent-death signal). */
export const orphanGuard: 'pdeathsig' | 'none' = SETPRIV ? 'pdeathsig' : 'none';

const live = new Set<ChildProcess>();
if (!SETPRIV) {
  // Without setpriv the best remaining guard is killing children on a normal exit.
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

/** A TCP port on 127.0.0.1 free right now (another process may still take it: callers retry). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Options for one redis-server. */
export interface RedisStartOptions {
  bin: string;
  dir: string;
  /** Extra `--flag value` arguments taken from the container's args (before ours, so ours win; their --save replaces the default save points). */
  extraArgs?: string[];
  timeoutMs?: number;
}

function hasFlag(args: readonly string[] | undefined, flag: string): boolean {
  return (args ?? []).includes(flag);
}

function launch(opts: RedisStartOptions, port: number): Promise<RedisProcess> {
  // The official image runs `redis-server` with no config file: compiled-in defaults, i.e. RDB
  // save points on and save-on-shutdown on SIGTERM; its build turns protected-mode off.
  const args = [
    ...(opts.extraArgs ?? []),
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    opts.dir,
    '--daemonize',
    'no',
    '--protected-mode',
    'no',
    '--logfile',
    '',
    // The compiled-in save points, unless the container's args set their own (`--save ""` = none).
    ...(hasFlag(opts.extraArgs, '--save') ? [] : ['--save', '3600 1 300 100 60 10000']),
  ];
  const child = SETPRIV
    ? spawn(SETPRIV, ['--pdeathsig', 'SIGTERM', opts.bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(opts.bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const lines: string[] = [];
  let running = true;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      running = false;
      live.delete(child);
      resolve(code);
    });
    child.once('error', (err) => {
      lines.push(String(err));
      running = false;
      live.delete(child);
      resolve(127);
    });
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(
        new RedisStartError(
          `redis-server did not become ready within ${opts.timeoutMs ?? 15000} ms: ${lines.slice(-5).join(' | ')}`,
        ),
      );
    }, opts.timeoutMs ?? 15000);
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        if (lines.length > 200) lines.shift();
        if (!settled && line.includes('Ready to accept connections')) {
          settled = true;
          clearTimeout(timer);
          resolve(proc);
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const proc: RedisProcess = {
      pid: child.pid ?? -1,
      port,
      dir: opts.dir,
      exited,
      isRunning: () => running,
      logTail: () => [...lines],
      async stop(graceMs: number) {
        if (!running) return;
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), Math.max(0, graceMs));
        await exited;
        clearTimeout(killer);
      },
    };
    void exited.then((code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(
        new RedisStartError(
          `redis-server exited with code ${code} before it was ready: ${lines.slice(-5).join(' | ')}`,
        ),
      );
    });
  });
}

/** Start a redis-server on a free private port and wait until it accepts connections. */
export async function startRedisServer(opts: RedisStartOptions): Promise<RedisProcess> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    try {
      return await launch(opts, port);
    } catch (err) {
      lastError = err;
      // Only a lost race for the port is worth another try.
      if (!(err instanceof RedisStartError) || !/in use|Could not create server TCP/i.test(err.message))
        throw err;
    }
  }
  throw lastError;
}
