// `npm run db:migrate`: applies prisma/migrations to DATABASE_URL, or, when it is unset, to the
// embedded database in .data/pglite (EMBEDDED_DATA_DIR overrides the directory).
import { defaultEmbeddedDataDir, startEmbeddedPostgres } from '../embedded.ts';
import { migrate, MigrationError } from '../migrate.ts';

const log = (line: string) => console.log(`db:migrate: ${line}`);

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const result = await migrate(url, { log });
    log(`${result.applied.length} applied, ${result.alreadyApplied.length} already applied (DATABASE_URL)`);
    return;
  }
  const dataDir = process.env.EMBEDDED_DATA_DIR ?? defaultEmbeddedDataDir;
  const embedded = await startEmbeddedPostgres({ dataDir });
  try {
    const result = await migrate(embedded.url, { log });
    log(`${result.applied.length} applied, ${result.alreadyApplied.length} already applied (embedded PGlite in ${dataDir})`);
  } finally {
    await embedded.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`db:migrate: ${err instanceof MigrationError ? err.message : String(err instanceof Error ? err.stack : err)}`);
  process.exitCode = 1;
});
