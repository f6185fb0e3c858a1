// `npm run demo`: the whole product on embedded defaults (no PostgreSQL server, no cluster): kube-sim
// with a generated class of 30 students, the api, a worker and the web app; grades everyone once,
// prints where to go and how to sign in, and stops everything on Ctrl-C. A component that exits
// (a killed worker) is restarted; the embedded database asks for a password generated per run.
import { existsSync } from 'node:fs';
import { stopCluster } from '@kubegrade/cluster';
import { REAL_CLUSTER_MAX_STUDENTS } from './real-class.ts';
import { startStack, stopChildren, type Stack } from './stack.ts';

// `npm run demo -- --cluster real`: the class on the real single-node cluster (packages/cluster).
const realCluster =
  process.argv.slice(2).join(' ').includes('--cluster real') || process.argv.includes('--cluster=real');
const students = Number(process.env.DEMO_STUDENTS ?? (realCluster ? REAL_CLUSTER_MAX_STUDENTS : 30));
const say = (line: string) => process.stderr.write(`[demo] ${line}\n`);

async function main(): Promise<void> {
  if (!['/usr/bin/kubectl', '/usr/local/bin/kubectl'].some((p) => existsSync(p))) {
    say(
      'kubectl not found: the demo does not need it; any Kubernetes client can read the simulated cluster with the kubeconfig printed below.',
    );
  }
  let stack: Stack | undefined = undefined;
  let stopping: Promise<void> | undefined;
  const stop = (why: string, code: number) => {
    stopping ??= (async () => {
      say(`${why}: stopping api, worker, web, kube-sim and the database...`);
      // Still starting: no Stack yet, but its child processes may be running.
      await (stack ? stack.stop() : Promise.all([stopChildren(), realCluster ? stopCluster() : undefined]));
      say('stopped.');
      process.exit(code);
    })();
    return stopping;
  };
  process.on('SIGINT', () => void stop('Ctrl-C', 0));
  process.on('SIGTERM', () => void stop('SIGTERM', 0));

  stack = await startStack({
    students,
    dataDir: process.env.EMBEDDED_DATA_DIR,
    databaseUrl: process.env.DATABASE_URL || undefined,
    web: process.env.DEMO_WEB !== '0',
    gradeAll: { disruptive: true },
    cluster: realCluster ? 'real' : 'sim',
    webhook: true,
    log: say,
  });
  for (const f of stack.fallbacks) say(f);
  const complete = stack.logins.students.find((s) => s.mistake === null)!;
  const lines = [
    ...(stack.webUrl ? [`web: ${stack.webUrl}`] : []),
    `api: ${stack.apiUrl}`,
    `instructor: ${stack.logins.instructor.email} ${stack.logins.instructor.password}`,
    `student: ${complete.email} ${complete.password}`,
    ...(stack.webhook ? [`webhook: ${stack.webhook.url} ${stack.webhook.secret}`] : []),
    `admin: ${stack.logins.admin.email} ${stack.logins.admin.password}`,
    `kubeconfig: ${stack.kubeconfig}`,
    `logs: ${stack.logDir}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  say(
    `scoreboard: ${stack.webUrl ?? stack.apiUrl}/labs/${stack.lab}/scoreboard (sign in as the instructor). Ctrl-C stops everything.`,
  );
  const crash = await stack.crashed;
  if (stopping) return;
  // A component that exits is restarted (see supervise() in stack.ts); this is one that kept exiting.
  say(
    `${crash.name} kept exiting (last: code ${crash.code ?? crash.signal}) and is not restarted again; its log is in ${stack.logDir}`,
  );
  await stop('a component crashed', 1);
}

main().catch(async (err: unknown) => {
  say(`could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
