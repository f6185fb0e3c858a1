// buildServer(config): the fastify app with every capability as a plugin. Tests drive it with
// app.inject() (no port); main.ts listens.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import './types.ts';
import type { Config } from './config.ts';
import { ApiError, restError } from './lib/errors.ts';
import configPlugin from './plugins/config.ts';
import dbPlugin from './plugins/db.ts';
import rateLimitPlugin from './plugins/rate-limit.ts';
import helmetPlugin from './plugins/helmet.ts';
import authPlugin from './plugins/auth.ts';
import graphqlPlugin from './plugins/graphql.ts';
import webhooksPlugin from './plugins/webhooks.ts';
import exportsPlugin from './plugins/exports.ts';
import healthPlugin from './plugins/health.ts';

/** Extra fastify options (tests pass `logger: false`). */
export type BuildOptions = Pick<FastifyServerOptions, 'logger'>;

/** Builds (but does not start) the api. */
export async function buildServer(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  if (!config.databaseUrl) throw new Error('buildServer needs config.databaseUrl (main.ts starts the embedded database when DATABASE_URL is unset)');
  const app = Fastify({
    logger: options.logger ?? {
      level: config.logLevel,
      // Cookies, CSRF tokens and signatures must never reach the log.
      redact: ['req.headers.cookie', 'req.headers["x-csrf-token"]', 'req.headers["x-hub-signature-256"]', 'req.headers["webhook-signature"]', 'req.headers.authorization'],
    },
    trustProxy: config.trustProxy,
    bodyLimit: 4 * 1024 * 1024,
  });

  app.setErrorHandler((err, request, reply) => {
    if (err instanceof ApiError) return reply.code(err.httpStatus).send(restError(err.code, err.message));
    const e = err as { code?: string; statusCode?: number; message: string; validation?: unknown; error?: { code: string; message: string } };
    if (e.code === 'FST_CSRF_MISSING_SECRET' || e.code === 'FST_CSRF_INVALID_TOKEN') {
      return reply.code(403).send(restError('CSRF', 'missing or wrong CSRF token: GET /auth/csrf and send it as the x-csrf-token header'));
    }
    if (e.statusCode === 429) return reply.code(429).send(e.error ? { error: e.error } : restError('RATE_LIMITED', e.message));
    if (e.validation) return reply.code(400).send(restError('BAD_USER_INPUT', e.message));
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(e.statusCode).send(restError(e.code ?? 'BAD_REQUEST', e.message));
    }
    request.log.error({ err }, 'request failed');
    return reply.code(500).send(restError('INTERNAL', 'the server failed; the api log has the details'));
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(restError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)));

  await app.register(configPlugin, { config });
  await app.register(dbPlugin);
  await app.register(rateLimitPlugin);
  await app.register(helmetPlugin);
  await app.register(authPlugin);
  await app.register(graphqlPlugin);
  await app.register(webhooksPlugin);
  await app.register(exportsPlugin);
  await app.register(healthPlugin);
  return app;
}
