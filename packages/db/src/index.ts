// @kubegrade/db: the Prisma client, the SQL migration runner, throwaway test databases and the
// embedded PGlite server. See README.md.
export { createPrisma, type CreatePrismaOptions } from './client.ts';
export * from './generated/prisma/client.ts';
export {
  migrate,
  readMigrations,
  checksum,
  defaultMigrationsDir,
  MIGRATIONS_TABLE,
  MigrationError,
  type MigrateOptions,
  type MigrateResult,
  type MigrateTarget,
  type MigrationFile,
} from './migrate.ts';
export {
  createTestDatabase,
  databaseUrl,
  pgTestUrl,
  redact,
  type CreateTestDatabaseOptions,
  type TestDatabase,
} from './testing.ts';
export {
  startEmbeddedPostgres,
  defaultEmbeddedDataDir,
  repoRoot,
  lockFileFor,
  EmbeddedDatabaseBusyError,
  type EmbeddedPostgres,
  type EmbeddedPostgresOptions,
} from './embedded.ts';
export { openDatabase, type OpenedDatabase, type OpenDatabaseOptions } from './open.ts';
export * from './runs/index.ts';
export { checkPoints, labMaxScore } from './labs.ts';
export * from './events/index.ts';
export { seal, unseal, type Sealed } from './crypto.ts';
export { ltiServiceToken, ltiToolKey } from './lti.ts';
export * from './scores/ledger.ts';
export * from './scores/regrade-preview.ts';
export * from './scores/insight.ts';
