// pg-boss plumbing shared by every queue the app writes to (grade, event-delivery, lti-score):
// jobs are inserted and failed through the caller's Prisma transaction, so a job exists if and only
// if the row it serves was committed.
import PgBoss from 'pg-boss';
import type { PrismaClient } from './generated/prisma/client.ts';

/** What runs raw SQL: a Prisma client or transaction (or a stand-in that composes the SQL). */
export interface RawExecutor {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/** pg-boss's executor interface over a Prisma client or transaction. */
export function prismaExecutor(db: RawExecutor | PrismaClient): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(text, ...values);
      return { rows };
    },
  };
}

let sqlBuilder: PgBoss | null = null;
/** pg-boss builds its SQL in the instance; this one never connects (every call must pass `db`). */
export function sqlOnlyBoss(): PgBoss {
  sqlBuilder ??= new PgBoss({
    db: {
      executeSql: () =>
        Promise.reject(new Error('internal: the pg-boss SQL builder was used without a db executor')),
    },
  });
  return sqlBuilder;
}
