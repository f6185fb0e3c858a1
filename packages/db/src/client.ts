// The Prisma client over node-postgres (Prisma 7 needs a driver adapter).
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.ts';

/** Options for createPrisma. */
export interface CreatePrismaOptions {
  /** Connections in the adapter's pg pool (default pg's 10). Use 1-2 against the embedded server. */
  max?: number;
  /**
   * Called with the text of every SQL statement the client sends (BEGIN and COMMIT included), before
   * it is sent: tests and the bench count statements per request with it.
   */
  onStatement?: (sql: string) => void;
}

/** A Prisma client connected to `url` (any postgres:// URL, including the embedded server's). */
export function createPrisma(url: string, options: CreatePrismaOptions = {}): PrismaClient {
  const config = { connectionString: url, ...(options.max ? { max: options.max } : {}) };
  const onStatement = options.onStatement;
  if (!onStatement) return new PrismaClient({ adapter: new PrismaPg(config) });
  const pool = new pg.Pool(config);
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0] as string | { text?: string };
      onStatement(typeof first === 'string' ? first : (first?.text ?? ''));
      return query(...args);
    };
  });
  return new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
}
