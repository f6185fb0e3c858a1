// `npm run db:migrate`: applies prisma/migrations to DATABASE_URL or, when it is unset, to the
// embedded database (.data/pglite, or EMBEDDED_DATA_DIR), through the running embedded server if
// another process (e.g. the demo) has one up.
import { migrate } from '../migrate.ts';
import { openDatabase } from '../open.ts';
import { redact } from '../url.ts';

const log = (line: string) => console.log(`db:migrate: ${line}`);

async function main(): Promise<void> {
  const db = await openDatabase();
  try {
    const result = await migrate(db.url, { log });
    const where =
      db.source === 'DATABASE_URL' ? redact(db.url) : `embedded PGlite (${db.source}) at ${db.url}`;
    log(`${result.applied.length} applied, ${result.alreadyApplied.length} already applied, ${where}`);
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  console.error(`db:migrate: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
