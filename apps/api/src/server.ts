// buildServer(config): the fastify app with every capability as a plugin. Tests drive it with
// app.inject() (no port); main.ts listens.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import './types.ts';
import type { Config } from './config.ts';
import { replyError, restError } from './lib/errors.ts';
import configPlugin from './plugins/config.ts';
import dbPlugin from './plugins/db.ts';
import rateLimitPlugin from './plugins/rate-limit.ts';
import helmetPlugin from './plugins/helmet.ts';
import authPlugin from './plugins/auth.ts';
import oidcPlugin from './plugins/oidc.ts';
import graphqlPlugin from './plugins/graphql.ts';
import webhooksPlugin from './plugins/webhooks.ts';
import exportsPlugin from './plugins/exports.ts';
import healthPlugin from './plugins/health.ts';
import ltiPlugin from './plugins/lti.ts';

/** Extra fastify options (tests pass `logger: false`), and a statement counter for tests and the bench. */
export type BuildOptions = Pick<FastifyServerOptions, 'logger'> & {
  /** Sees the text of every SQL statement app.db sends (createPrisma's onStatement). */
  onStatement?: (sql: string) => void;
};

/** Builds (but does not start) the api. */
export async function buildServer(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  if (!config.databaseUrl)
    throw new Error(
      'buildServer needs config.databaseUrl (main.ts starts the embedded database when DATABASE_URL is unset)',
    );
  const app = Fastify({
    logger: options.logger ?? {
      level: config.logLevel,
      // Cookies, CSRF tokens and signatures must never reach the log.
      redact: [
        'req.headers.cookie',
        'req.headers["x-csrf-token"]',
        'req.headers["x-hub-signature-256"]',
        'req.headers["webhook-signature"]',
        'req.headers.authorization',
      ],
    },
    // A hop count trusts that many proxies nearest the api (proxy-addr's index 0 is the socket peer).
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (_addr: string, hop: number) => hop < (config.trustProxy as number)
        : config.trustProxy,
    bodyLimit: 4 * 1024 * 1024,
  });

  app.setErrorHandler(replyError);
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(restError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );

  await app.register(configPlugin, { config });
  await app.register(dbPlugin, { onStatement: options.onStatement });
  await app.register(rateLimitPlugin);
  await app.register(helmetPlugin);
  await app.register(authPlugin);
  await app.register(oidcPlugin);
  await app.register(graphqlPlugin);
  await app.register(webhooksPlugin);
  await app.register(exportsPlugin);
  await app.register(healthPlugin);
  await app.register(ltiPlugin);
  return app;
}
