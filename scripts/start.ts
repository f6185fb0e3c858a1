// `npm start`: run Kubegrade against your own database and cluster. Starts the api, the worker and
// the web app (or only the ones named with --only, as the worker's container in deploy/ does) using
// DATABASE_URL and KUBECONFIG / KUBE_CONTEXT, or the in-cluster ServiceAccount (KUBE_IN_CLUSTER).
// For the worker it also serves /healthz and /readyz on HEALTH_PORT (default 4100) for probes.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const COMPONENTS = ['api', 'worker', 'web'] as const;
type Component = (typeof COMPONENTS)[number];

const say = (line: string) => process.stderr.write(`[kubegrade] ${line}\n`);

/** Which components to run, from --only (repeatable or comma-separated). */
export function parseComponents(argv: string[]): Component[] {
  const { values } = parseArgs({ args: argv, options: { only: { type: 'string', multiple: true } } });
  const named = (values.only ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  const unknown = named.filter((n) => !(COMPONENTS as readonly string[]).includes(n));
  if (unknown.length)
    throw new Error(`unknown component(s): ${unknown.join(', ')} (choose from ${COMPONENTS.join(', ')})`);
  return named.length ? (named as Component[]) : [...COMPONENTS];
}

/** Why the environment cannot work, or [] when it can. */
export function checkEnv(env: NodeJS.ProcessEnv, components: readonly Component[]): string[] {
  const problems: string[] = [];
  const prod = env.NODE_ENV === 'production';
  if (prod && !env.DATABASE_URL)
    problems.push('DATABASE_URL is required in production (postgres://user:pass@host:5432/db)');
  if (prod && !env.SESSION_SECRET)
    problems.push('SESSION_SECRET is required in production (32+ random characters)');
  if (components.includes('worker')) {
    const inCluster = env.KUBE_IN_CLUSTER === 'true' || (env.KUBERNETES_SERVICE_HOST && !env.KUBECONFIG);
    const kubeconfig = env.KUBECONFIG ?? join(env.HOME ?? '', '.kube/config');
    if (!inCluster && !kubeconfig.split(':').some((f) => existsSync(f))) {
      problems.push(
        `the worker needs a cluster: set KUBECONFIG (no file at ${kubeconfig}) or run in a pod (KUBE_IN_CLUSTER=true)`,
      );
    }
  }
  return problems;
}

function run(name: Component, env: NodeJS.ProcessEnv): ChildProcess {
  const nextBin = join(ROOT, 'node_modules/next/dist/bin/next');
  const [args, cwd] =
    name === 'web'
      ? [
          [nextBin, 'start', '-p', env.PORT ?? '3000', '-H', env.HOSTNAME ?? '0.0.0.0'],
          join(ROOT, 'apps/web'),
        ]
      : [['--import', 'tsx', `apps/${name}/src/main.ts`], ROOT];
  const child = spawn(process.execPath, args, { cwd, env, stdio: 'inherit' });
  return child;
}

/** The worker has no HTTP server of its own: answer probes from its process state and the database. */
function workerHealth(
  port: number,
  worker: () => ChildProcess | undefined,
  databaseUrl: string | undefined,
): void {
  const server = createServer((req, res) => {
    const up = worker()?.exitCode === null;
    if (req.url === '/healthz') {
      res.writeHead(up ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: up }));
      return;
    }
    if (req.url === '/readyz') {
      void (async () => {
        let database = !databaseUrl;
        if (databaseUrl) {
          const pg = (await import('pg')).default;
          const c = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
          database = await c.connect().then(
            () => c.query('select 1').then(() => true),
            () => false,
          );
          await c.end().catch(() => {});
        }
        const ok = up && database;
        res
          .writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ ok, worker: up, database }));
      })();
      return;
    }
    res.writeHead(404).end();
  });
  server.listen(port, '0.0.0.0');
  server.unref();
}

async function main(): Promise<void> {
  const components = parseComponents(process.argv.slice(2));
  const problems = checkEnv(process.env, components);
  if (problems.length) {
    for (const p of problems) say(p);
    process.exit(2);
  }
  if (components.includes('web') && !existsSync(join(ROOT, 'apps/web/.next/BUILD_ID'))) {
    say('apps/web is not built: run `npm run build -w @kubegrade/web` first');
    process.exit(2);
  }
  if (!process.env.DATABASE_URL)
    say(
      'DATABASE_URL is unset: using the embedded PGlite database in .data/pglite (fine for trying, not for a class)',
    );
  const env: NodeJS.ProcessEnv = { NEXT_TELEMETRY_DISABLED: '1', ...process.env };
  const running = new Map<Component, ChildProcess>();
  // The api starts first: with no DATABASE_URL it starts the embedded database the others share.
  for (const c of components) {
    running.set(c, run(c, env));
    if (c === 'api' && components.length > 1) await new Promise((r) => setTimeout(r, 3000));
  }
  if (components.includes('worker'))
    workerHealth(Number(env.HEALTH_PORT ?? 4100), () => running.get('worker'), env.DATABASE_URL);
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const p of running.values()) if (p.exitCode === null) p.kill('SIGTERM');
    const t = setTimeout(() => {
      for (const p of running.values()) if (p.exitCode === null) p.kill('SIGKILL');
    }, 15_000);
    t.unref();
    void Promise.all(
      [...running.values()].map((p) => (p.exitCode === null ? new Promise((r) => p.once('exit', r)) : null)),
    ).then(() => process.exit(code));
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  for (const [name, p] of running) {
    p.once('exit', (code, signal) => {
      if (stopping) return;
      say(`${name} exited (${code ?? signal}); stopping the others`);
      stop(code || 1);
    });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    say(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
