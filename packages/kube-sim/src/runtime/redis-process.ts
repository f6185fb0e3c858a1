// One real redis-server per Redis container incarnation, started by the launcher process
// (launcher.ts), never forked from kube-sim itself.
import net from 'node:net';
import { launch as launchProcess } from './launcher.ts';

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
  const child = launchProcess(opts.bin, args);
  const lines: string[] = [];
  let running = true;
  const exited = child.exited.then((code) => {
    running = false;
    return code;
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
    child.onOutput((chunk) => {
      buf += chunk;
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
    });
    const proc: RedisProcess = {
      get pid() {
        return child.pid;
      },
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
