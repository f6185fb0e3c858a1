// Starts the api: configuration, the embedded database when DATABASE_URL is unset, migrations,
// the lab sync from the grader, then listen. Closes cleanly on SIGINT/SIGTERM.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createPrisma, migrate, openDatabase } from '@kubegrade/db';
import { listLabs, loadLab, type Lab } from '@kubegrade/grader';
import { loadConfig } from './config.ts';
import { buildServer } from './server.ts';
import { syncLabs } from './lib/labs.ts';

/** Every shipped lab plus the files in LABS_DIR (a file there replaces a shipped lab with the same id). */
export function collectLabs(labsDir?: string): Lab[] {
  const byId = new Map(listLabs().map((l) => [l.id, l]));
  if (labsDir) {
    for (const f of readdirSync(labsDir)
      .filter((n) => /\.ya?ml$/.test(n))
      .sort()) {
      const lab = loadLab(join(labsDir, f));
      byId.set(lab.id, lab);
    }
  }
  return [...byId.values()];
}

async function main(): Promise<void> {
  const config = loadConfig();
  // Without DATABASE_URL, the first of api/worker to start serves the embedded PGlite database and
  // the other connects to it (one data directory must never be opened twice).
  const database = config.databaseUrl ? null : await openDatabase();
  if (database) config.databaseUrl = database.url;
  await migrate(config.databaseUrl);
  const db = createPrisma(config.databaseUrl, { max: 1 });
  try {
    await syncLabs(db, collectLabs(config.labsDir));
  } finally {
    await db.$disconnect();
  }
  const app = await buildServer(config);
  if (config.sessionSecretIsDefault)
    app.log.warn('SESSION_SECRET is unset: using the development default (never do this in production)');
  if (config.webhookKeyIsDefault)
    app.log.warn(
      'WEBHOOK_ENCRYPTION_KEY is unset: using the development default (never do this in production)',
    );
  if (database)
    app.log.info({ source: database.source }, 'DATABASE_URL is unset: using the embedded PGlite database');
  const close = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await database?.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void close('SIGINT'));
  process.once('SIGTERM', () => void close('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
