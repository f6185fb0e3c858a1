// What every resolver receives.
import type { FastifyInstance } from 'fastify';
import type { MercuriusContext } from 'mercurius';
import type { PrismaClient } from '@kubegrade/db';
import type { Config } from '../config.ts';
import type { ApiTokenGrant, SessionUser } from '../types.ts';

/** The GraphQL context: the signed-in user plus the app's services. */
export interface Ctx extends MercuriusContext {
  app: FastifyInstance;
  db: PrismaClient;
  config: Config;
  user: SessionUser | null;
  /** The API token the request came with (null for a browser session). */
  token: ApiTokenGrant | null;
}
