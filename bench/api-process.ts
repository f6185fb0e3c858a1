// The api in a process of its own for the bench (figures 3 and 4): the load driver and the api do
// not share an event loop. The child is `buildServer` listening on 127.0.0.1 with NODE_ENV=production
// by default (Prisma then captures no call site per query, graphql-js skips its development checks).
// Over IPC it says where it listens and, when asked, how many SQL statements app.db has sent and how
// much CPU the process has used, so the driver can print statements and CPU per request.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/** What the api process has done so far: statements sent by app.db, CPU time (ms), event-loop use. */
export interface ApiStats {
  statements: number;
  cpuMs: number;
  /** Event-loop utilisation since the previous stats call (0..1). */
  elu: number;
}

/** A running api process. */
export interface ApiProcess {
  url: string;
  pid: number;
  stats(): Promise<ApiStats>;
  stop(): Promise<void>;
}

type FromChild =
  { type: 'ready'; port: number } | ({ type: 'stats' } & ApiStats) | { type: 'error'; message: string };

/** Forks the api over `databaseUrl`; `env` adds or overrides settings (NODE_ENV is production unless set). */
export async function startApiProcess(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<ApiProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child'], {
    // BENCH_API_CPU_PROF=<dir>: the api process writes a V8 CPU profile there when it stops.
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_API_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_API_CPU_PROF}`]
        : []),
    ],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      SESSION_SECRET: randomBytes(36).toString('base64'),
      WEBHOOK_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
      LOGIN_CLIENT_RATE_LIMIT_PER_MINUTE: '100000',
      LOG_LEVEL: 'silent',
      ...env,
      DATABASE_URL: databaseUrl,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiters: { resolve: (m: FromChild) => void; reject: (e: Error) => void }[] = [];
  child.on('message', (m: FromChild) => waiters.shift()?.resolve(m));
  child.on('exit', (code) => {
    for (const w of waiters.splice(0)) w.reject(new Error(`the api process exited (code ${code})`));
  });
  const next = () => new Promise<FromChild>((resolve, reject) => waiters.push({ resolve, reject }));
  const ready = await next();
  if (ready.type !== 'ready')
    throw new Error(`the api process did not start: ${ready.type === 'error' ? ready.message : ready.type}`);
  return {
    url: `http://127.0.0.1:${ready.port}`,
    pid: child.pid!,
    async stats() {
      const answer = next();
      child.send({ type: 'stats' });
      const m = await answer;
      if (m.type !== 'stats') throw new Error('the api process answered stats with something else');
      return { statements: m.statements, cpuMs: m.cpuMs, elu: m.elu };
    },
    async stop() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ type: 'stop' });
      await exited;
    },
  };
}

async function child(): Promise<void> {
  const { buildServer, loadConfig } = await import('@kubegrade/api');
  let statements = 0;
  const app = await buildServer(loadConfig(process.env), { onStatement: () => void statements++ });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (!addr || typeof addr !== 'object') throw new Error('the api has no address');
  let elu = performance.eventLoopUtilization();
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stats') {
      const cpu = process.cpuUsage();
      const now = performance.eventLoopUtilization();
      const since = performance.eventLoopUtilization(now, elu);
      elu = now;
      process.send!({
        type: 'stats',
        statements,
        cpuMs: (cpu.user + cpu.system) / 1000,
        elu: since.utilization,
      });
    } else if (m.type === 'stop') {
      void app.close().then(() => process.exit(0));
    }
  });
  process.send!({ type: 'ready', port: addr.port });
}

if (process.argv.includes('--child')) {
  child().catch((err: unknown) => {
    process.send?.({ type: 'error', message: (err as Error).stack ?? String(err) });
    process.exit(1);
  });
}
