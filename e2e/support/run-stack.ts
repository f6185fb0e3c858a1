// The e2e stack, run by global-setup.ts in a child process: a fresh database on the real PostgreSQL
// server (PG_TEST_URL) and scripts/stack.ts's startStack() (kube-sim with a generated class, the
// api, the worker and the built web app under `next start`). Prints one `KUBEGRADE_STACK <json>`
// line when ready and stops everything on SIGTERM or when its stdin closes.
import { createTestDatabase, type TestDatabase } from '@kubegrade/db';
import { startStack, type Stack, type StudentLogin } from '../../scripts/stack.ts';
import type { Account, StackInfo } from './stack-info.ts';

const LAB = 'redis-exist-pvc';

function account(s: StudentLogin): Account {
  return { email: s.email, password: s.password, name: s.name, namespace: s.namespace };
}

async function main(): Promise<void> {
  let db: TestDatabase | null = null;
  let stack: Stack | null = null;
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await stack
        ?.stop()
        .catch((err: unknown) => process.stderr.write(`stopping the stack: ${String(err)}\n`));
      await db
        ?.drop()
        .catch((err: unknown) => process.stderr.write(`dropping the e2e database: ${String(err)}\n`));
    })());
  const exit = () => void stop().then(() => process.exit(0));
  process.on('SIGTERM', exit);
  process.on('SIGINT', exit);
  process.stdin.on('end', exit);
  process.stdin.resume();

  try {
    db = await createTestDatabase();
    stack = await startStack({
      databaseUrl: db.url,
      lab: LAB,
      students: 4,
      spread: [null, 'servicename-mismatch', null, null],
      // Two grades in a row, then a long wait: the second click shows the cooldown.
      env: { COOLDOWN_BURST: '2', COOLDOWN_RATE_PER_MINUTE: '0.5', LOG_LEVEL: 'warn' },
      log: (line) => process.stderr.write(`[stack] ${line}\n`),
    });
    const correct = stack.logins.students.filter((s) => s.mistake === null);
    const mismatch = stack.logins.students.find((s) => s.mistake === 'servicename-mismatch');
    if (!stack.webUrl || correct.length < 3 || !mismatch)
      throw new Error('the stack did not start the web app or the expected students');
    const info: StackInfo = {
      webUrl: stack.webUrl,
      apiUrl: stack.apiUrl,
      labId: LAB,
      admin: { ...stack.logins.admin, name: 'admin' },
      instructor: { ...stack.logins.instructor, name: 'instructor' },
      correctStudent: account(correct[0]!),
      liveStudent: account(correct[1]!),
      ledgerStudent: account(correct[2]!),
      mismatchStudent: account(mismatch),
      kubeconfig: stack.kubeconfig,
    };
    process.stdout.write(`KUBEGRADE_STACK ${JSON.stringify(info)}\n`);
  } catch (err) {
    process.stderr.write(`e2e stack failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    await stop();
    process.exit(1);
  }
}

void main();
