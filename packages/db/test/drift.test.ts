// schema.prisma and the SQL migrations must describe the same database (real PostgreSQL here; the
// embedded PGlite server in embedded.test.ts).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';
import { findDrift, loadDatamodel, schemaPath } from './drift-check.ts';

const datamodel = loadDatamodel();

describe('migrations vs schema.prisma on real PostgreSQL', () => {
  let db: TestDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('has every model, field, unique constraint, index and foreign key', async () => {
    expect(await findDrift(client, datamodel)).toEqual([]);
  });

  it('reports a column the migrations forgot, naming it', async () => {
    await client.query('BEGIN');
    try {
      await client.query('ALTER TABLE "GradingRun" DROP COLUMN "graderVersion"');
      await client.query('DROP INDEX "GradingRun_labId_queuedAt_idx"');
      const drift = await findDrift(client, datamodel);
      expect(drift).toContain('column GradingRun.graderVersion (GradingRun.graderVersion) is missing');
      expect(drift).toContain(
        'index GradingRun_labId_queuedAt_idx on GradingRun(labId, queuedAt) is missing',
      );
    } finally {
      await client.query('ROLLBACK');
    }
  });

  it('reports a schema.prisma change that has no migration', async () => {
    const edited = readFileSync(schemaPath, 'utf8')
      .replace('  score             Float?\n', '  score             Float\n')
      .replace(
        '  jobId             String?\n',
        '  jobId             String?\n  priority          Int        @default(0)\n',
      )
      .replace('  @@index([triggeredById])\n', '  @@index([triggeredById])\n  @@unique([jobId])\n');
    const file = join(mkdtempSync(join(tmpdir(), 'kubegrade-schema-')), 'schema.prisma');
    writeFileSync(file, edited);
    const drift = await findDrift(client, loadDatamodel(file));
    expect(drift).toEqual([
      'column GradingRun.score is nullable, schema.prisma says required',
      'column GradingRun.priority (GradingRun.priority) is missing',
      'unique index GradingRun_jobId_key on GradingRun(jobId) is missing',
    ]);
  });
});

// The same check against embedded PGlite is in embedded.test.ts (it reuses that file's server).
