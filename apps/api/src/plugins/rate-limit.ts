// Rate limits are per route (login, webhooks); nothing is limited globally.
import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import { restError } from '../lib/errors.ts';

/** Registers @fastify/rate-limit with `global: false`; routes opt in through `config.rateLimit`. */
export default fp(
  async (app) => {
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_req, ctx) => ({
        statusCode: ctx.statusCode,
        ...restError('RATE_LIMITED', `too many requests; try again in ${Math.ceil(ctx.ttl / 1000)} s`),
      }),
    });
  },
  { name: 'rateLimit', dependencies: ['config'] },
);
