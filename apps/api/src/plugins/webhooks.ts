// POST /webhooks/regrade/:hookId: the raw body is kept as a Buffer (signatures are over the exact
// bytes), the rest is lib/webhooks.ts. Verified deliveries count against the hook's rate limit,
// unverified ones against a bucket of their own per client; refusals before the handler (a body
// over WEBHOOK_BODY_LIMIT_BYTES) are logged like every other refusal.
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  handleDelivery,
  logDeliveryRefusal,
  providedDeliveryId,
  type DeliveryLimiter,
} from '../lib/webhooks.ts';
import { ApiError, replyError } from '../lib/errors.ts';
import { zodRoutes } from '../lib/routes.ts';

/** The largest delivery body accepted. */
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

/** Registers the webhook route in its own scope with a Buffer body parser. */
export default fp(
  async (app) => {
    const max = app.config.webhookRateLimitPerMinute;
    const hookOf = (req: FastifyRequest) => (req.params as { hookId?: string }).hookId ?? '';
    const verified = app.createRateLimit({
      max,
      timeWindow: '1 minute',
      keyGenerator: (req) => `hook:${hookOf(req)}`,
    });
    const unverified = app.createRateLimit({
      max,
      timeWindow: '1 minute',
      keyGenerator: (req) => `hook-unverified:${hookOf(req)}|${req.ip}`,
    });

    await zodRoutes(app, (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(
        '*',
        { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT_BYTES },
        (_req, body, done) => done(null, body),
      );
      scope.setErrorHandler(async (err, request, reply) => {
        const e = err as { statusCode?: number; code?: string; message: string };
        const status = e.statusCode && e.statusCode >= 400 && e.statusCode < 500 ? e.statusCode : 500;
        const hook = await app.db.webhook.findUnique({ where: { id: hookOf(request) } }).catch(() => null);
        if (hook) {
          const reason =
            status === 413
              ? `body larger than ${WEBHOOK_BODY_LIMIT_BYTES} bytes (413)`
              : `${e.code ?? 'error'}: ${e.message} (${status})`;
          await logDeliveryRefusal(
            app.db,
            hook,
            providedDeliveryId(request.headers),
            'rejected',
            reason,
          ).catch((logErr: unknown) =>
            request.log.error({ err: logErr }, 'could not log a refused delivery'),
          );
        }
        if (status !== 500) request.log.info({ hookId: hookOf(request), status }, 'webhook delivery refused');
        // The answer is the one error handler's; a body over the limit says so by its code.
        return replyError(
          status === 413 ? new ApiError('PAYLOAD_TOO_LARGE', e.message) : err,
          request,
          reply,
        );
      });
      scope.post(
        '/webhooks/regrade/:hookId',
        { schema: { params: z.object({ hookId: z.string().min(1).max(100) }) } },
        async (request, reply) => {
          const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
          const limit: DeliveryLimiter = async (bucket) => {
            const r = await (bucket === 'verified' ? verified : unverified)(request);
            return !r.isAllowed && r.isExceeded ? r.ttlInSeconds : null;
          };
          const out = await handleDelivery(app.db, app.config, {
            hookId: request.params.hookId,
            headers: request.headers,
            body,
            limit,
          });
          request.log.info({ hookId: request.params.hookId, status: out.status }, 'webhook delivery');
          if (out.status === 429) reply.header('retry-after', String(out.retryAfterSeconds));
          return reply.code(out.status).send(out.body);
        },
      );
    });
  },
  { name: 'webhooks', dependencies: ['config', 'db', 'rateLimit'] },
);
