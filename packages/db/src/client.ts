// The Prisma client over node-postgres (Prisma 7 needs a driver adapter).
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.ts';

/** Options for createPrisma. */
export interface CreatePrismaOptions {
  /** Connections in the adapter's pg pool (default pg's 10). Use 1-2 against the embedded server. */
  max?: number;
}

/** A Prisma client connected to `url` (any postgres:// URL, including the embedded server's). */
export function createPrisma(url: string, options: CreatePrismaOptions = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString: url, ...(options.max ? { max: options.max } : {}) });
  return new PrismaClient({ adapter });
}
