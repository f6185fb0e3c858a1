// POST /webhooks/regrade/:hookId: the raw body is kept as a Buffer (signatures are over the exact
// bytes), the rest is lib/webhooks.ts. Rate-limited per hook.
import fp from 'fastify-plugin';
import { handleDelivery } from '../lib/webhooks.ts';

/** Registers the webhook route in its own scope with a Buffer body parser. */
export default fp(
  async (app) => {
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));
      scope.post<{ Params: { hookId: string } }>(
        '/webhooks/regrade/:hookId',
        {
          config: {
            rateLimit: {
              max: app.config.webhookRateLimitPerMinute,
              timeWindow: '1 minute',
              keyGenerator: (req) => `hook:${(req.params as { hookId?: string }).hookId ?? ''}`,
            },
          },
          schema: { params: { type: 'object', properties: { hookId: { type: 'string', minLength: 1, maxLength: 100 } }, required: ['hookId'] } },
        },
        async (request, reply) => {
          const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
          const out = await handleDelivery(app.db, app.config, { hookId: request.params.hookId, headers: request.headers, body });
          request.log.info({ hookId: request.params.hookId, status: out.status }, 'webhook delivery');
          return reply.code(out.status).send(out.body);
        },
      );
    });
  },
  { name: 'webhooks', dependencies: ['config', 'db', 'rateLimit'] },
);
