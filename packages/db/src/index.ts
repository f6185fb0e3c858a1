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
