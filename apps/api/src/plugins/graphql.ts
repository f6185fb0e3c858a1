// GraphQL over HTTP and WebSocket (mercurius): the schema file is the contract, every operation is
// wrapped with its role rule, GraphiQL is off (it loads assets from a CDN), subscriptions speak
// graphql-transport-ws with the session cookie and an Origin check.
import { readFileSync } from 'node:fs';
import fp from 'fastify-plugin';
import mercurius from 'mercurius';
import { createRequire } from 'node:module';
import { buildSchema, GraphQLError, type GraphQLFieldResolver } from 'graphql';
import type { FastifyRequest } from 'fastify';
import { ApiError, isCsrfError, replyError, restError } from '../lib/errors.ts';
import { CooldownError, RunsError } from '../lib/runs.ts';
import { guard, rules, tokenRules, type Rule } from '../graphql/rules.ts';
import { auditTokenRefusal, guardToken } from '../lib/api-tokens.ts';
import { operations } from '../graphql/resolvers.ts';
import { fieldResolvers, loaders } from '../graphql/fields.ts';
import { eventFieldResolvers, eventLoaders } from '../graphql/events.ts';
import { DateTime, JSONScalar } from '../graphql/scalars.ts';
import type { Ctx } from '../graphql/context.ts';
import { limitRules, QUERY_LIMITS } from '../graphql/limits.ts';
import { CLOSE, releasing, type LiveConnection, type LiveSockets } from '../lib/live-sockets.ts';
import type { WebSocket } from 'ws';
import type { SessionUser } from '../types.ts';

// mercurius (CommonJS) builds its schema with graphql's CommonJS build; validating that schema
// needs the same instance (the ESM build refuses a schema "from another module or realm").
const cjsGraphql = createRequire(import.meta.url)('graphql') as typeof import('graphql');

/** The schema's SDL (apps/api/src/graphql/schema.graphql), the single source of the schema. */
export const schemaSDL = readFileSync(new URL('../graphql/schema.graphql', import.meta.url), 'utf8');

type OpType = 'Query' | 'Mutation' | 'Subscription';

/** Throws when a schema operation has no rule or resolver, or a rule names no schema field. */
export function checkRuleCoverage(): void {
  const schema = buildSchema(schemaSDL);
  const problems: string[] = [];
  for (const type of ['Query', 'Mutation', 'Subscription'] as OpType[]) {
    const fields = Object.keys(
      schema.getType(type) ? (schema.getType(type) as unknown as { getFields(): object }).getFields() : {},
    );
    for (const f of fields) {
      if (!rules[type][f]) problems.push(`${type}.${f} has no role rule`);
      if (!tokenRules[type][f]) problems.push(`${type}.${f} has no token rule`);
      if (!(f in operations[type])) problems.push(`${type}.${f} has no resolver`);
    }
    for (const f of Object.keys(rules[type]))
      if (!fields.includes(f)) problems.push(`rule for ${type}.${f} names no schema field`);
    for (const f of Object.keys(tokenRules[type]))
      if (!fields.includes(f)) problems.push(`token rule for ${type}.${f} names no schema field`);
  }
  if (problems.length)
    throw new Error(`GraphQL rules out of step with schema.graphql:\n  ${problems.join('\n  ')}`);
}

/** The role rule, then (for a request with an API token) its scopes; a token's refusal is audited. */
async function guardCall(type: OpType, rule: Rule, name: string, ctx: Ctx): Promise<void> {
  guard(rule, ctx.user, name);
  if (!ctx.token) return;
  try {
    guardToken(ctx.token, tokenRules[type][name] ?? [], name);
  } catch (err) {
    await auditTokenRefusal(ctx.db, ctx.user, ctx.token, `${type}.${name}`, (err as Error).message);
    throw err;
  }
}

function wrap<T extends GraphQLFieldResolver<unknown, Ctx>>(
  type: OpType,
  rule: Rule,
  name: string,
  fn: T,
): GraphQLFieldResolver<unknown, Ctx> {
  return async (root, args, ctx, info) => {
    await guardCall(type, rule, name, ctx);
    try {
      return await fn(root, args, ctx, info);
    } catch (err) {
      if (err instanceof ApiError) throw err;
      if (err instanceof CooldownError) {
        throw new ApiError('COOLDOWN', `you can grade again in ${err.retryAfterSeconds} s`, {
          retryAfterSeconds: err.retryAfterSeconds,
        });
      }
      if (err instanceof RunsError && err.code === 'NOT_FOUND') throw new ApiError('NOT_FOUND', err.message);
      // Unexpected errors (database, bugs) are logged in full and reported without internals.
      ctx.app.log.error({ err, operation: name }, 'GraphQL resolver failed');
      throw new ApiError('INTERNAL', `${name} failed on the server; the api log has the details`);
    }
  };
}

function guardedResolvers(live: LiveSockets) {
  const out: Record<string, Record<string, unknown>> = {};
  for (const type of ['Query', 'Mutation'] as const) {
    out[type] = {};
    for (const [name, fn] of Object.entries(operations[type])) {
      out[type][name] = wrap(type, rules[type][name]!, name, fn as GraphQLFieldResolver<unknown, Ctx>);
    }
  }
  out.Subscription = {};
  for (const [name, def] of Object.entries(operations.Subscription)) {
    const rule = rules.Subscription[name]!;
    const subscribe = wrap('Subscription', rule, name, def.subscribe as GraphQLFieldResolver<unknown, Ctx>);
    out.Subscription[name] = {
      // Each subscription takes a slot of its socket and user (TOO_MANY_SUBSCRIPTIONS when full),
      // given back when it ends, however it ends.
      subscribe: async (
        root: unknown,
        args: Record<string, unknown>,
        ctx: Ctx & { conn?: LiveConnection },
        info: never,
      ) => {
        guard(rule, ctx.user, name);
        const release = ctx.conn ? live.reserve(ctx.conn) : null;
        try {
          const events = (await subscribe(root, args, ctx, info)) as
            AsyncIterator<unknown> | AsyncIterable<unknown>;
          return release ? releasing(events, release) : events;
        } catch (err) {
          release?.();
          throw err;
        }
      },
      resolve: def.resolve,
    };
  }
  return out;
}

async function userFromRequest(request: FastifyRequest): Promise<SessionUser | null> {
  return request.user ?? null;
}

/** graphql-js's "Did you mean ...?" tail, which names schema fields and types. */
function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean .*\?$/s, '');
}

/** Registers mercurius at /graphql. */
export default fp(
  async (app) => {
    checkRuleCoverage();
    const { config } = app;
    const hideSuggestions = (request: FastifyRequest) => config.production && !request.user;
    await app.register(mercurius, {
      schema: schemaSDL,
      resolvers: {
        DateTime,
        JSON: JSONScalar,
        ...guardedResolvers(app.liveSockets),
        ...fieldResolvers,
        ...eventFieldResolvers,
      } as never,
      loaders: { ...loaders, ...eventLoaders } as never,
      graphiql: false,
      ide: false,
      // graphql-jit compiles a query the second time it is seen: the scoreboard's ~10k fields then
      // resolve without graphql-js's generic executor.
      jit: 1,
      path: '/graphql',
      queryDepth: QUERY_LIMITS.depth,
      validationRules: limitRules(),
      graphql: { parseOptions: { maxTokens: QUERY_LIMITS.tokens } },
      context: async (request) => ({
        db: app.db,
        config,
        user: await userFromRequest(request),
        token: request.apiToken,
      }),
      // A refused CSRF token goes to the one error handler (the REST shape the web app expects);
      // anything else is answered the way mercurius does by default.
      errorHandler: async (error, request, reply) => {
        if (isCsrfError(error)) {
          await replyError(error, request, reply);
          return;
        }
        const code = (error as { code?: string }).code;
        const { statusCode, response } = mercurius.defaultErrorFormatter(
          { errors: [new GraphQLError(error.message, { originalError: error })] } as never,
          { reply, app } as never,
        );
        request.log.info({ err: error }, 'GraphQL request refused');
        if (hideSuggestions(request)) {
          for (const e of (response as { errors?: { message: string }[] }).errors ?? [])
            e.message = withoutSuggestions(e.message);
        }
        // A document that does not parse or validate (limits included) is the client's error: 400,
        // however many errors it has (mercurius answers 200 for more than one).
        await reply.code(code === 'MER_ERR_GQL_VALIDATION' ? 400 : statusCode).send(response);
      },
      errorFormatter: (execution, ctx) => {
        const formatted = mercurius.defaultErrorFormatter(execution, ctx);
        const request = (ctx as { reply?: { request?: FastifyRequest } }).reply?.request;
        if (request && hideSuggestions(request)) {
          for (const e of (formatted.response as { errors?: { message: string }[] }).errors ?? [])
            e.message = withoutSuggestions(e.message);
        }
        // Typed errors are answers, not transport failures: keep HTTP 200 as graphql-over-http says.
        if (execution.errors?.every((e) => e.originalError instanceof ApiError)) formatted.statusCode = 200;
        // A script's token refused an operation: the HTTP status says so too (curl --fail, CI steps).
        const refused = execution.errors?.find(
          (e) => e.originalError instanceof ApiError && e.originalError.code === 'FORBIDDEN',
        );
        if (request?.apiToken && refused) formatted.statusCode = 403;
        return formatted;
      },
      subscription: {
        emitter: app.pubsub,
        verifyClient: (info, next) => {
          const allowed = !info.origin || config.allowedOrigins.includes(info.origin);
          next(allowed, allowed ? undefined : 403, allowed ? undefined : 'origin not allowed');
        },
        // Registers the socket (its owner and session) or, at the per-user cap, closes it with 4429.
        context: async (socket, request) => {
          const user = await userFromRequest(request);
          const conn = app.liveSockets.add(
            socket as unknown as WebSocket,
            user ? `user:${user.id}` : `ip:${request.ip}`,
            user ? request.session.sessionId : null,
          );
          return { db: app.db, config, user, conn, token: null };
        },
      },
    });
    // Over the per-user cap, a new socket is refused before the upgrade.
    app.addHook('onRequest', async (request, reply) => {
      if (!(request as { ws?: boolean }).ws) return;
      const owner = request.user ? `user:${request.user.id}` : `ip:${request.ip}`;
      if (app.liveSockets.socketsOf(owner) >= app.liveSockets.limits.socketsPerUser) {
        return reply
          .code(429)
          .send(
            restError(
              'TOO_MANY_SUBSCRIPTIONS',
              `at most ${app.liveSockets.limits.socketsPerUser} subscription connections per user`,
            ),
          );
      }
    });
    // Sockets outlive no session: those whose session expired or was ended elsewhere are closed.
    const sweep = setInterval(() => {
      const ids = app.liveSockets.sessionIds();
      if (!ids.length) return;
      app.db.session
        .findMany({ where: { id: { in: ids }, expiresAt: { gt: new Date() } }, select: { id: true } })
        .then((alive) => {
          const ok = new Set(alive.map((s) => s.id));
          for (const id of ids)
            if (!ok.has(id)) app.liveSockets.closeSession(id, CLOSE.sessionExpired, 'session expired');
        })
        .catch((err: unknown) => app.log.warn({ err }, 'could not check the sessions of open sockets'));
    }, config.wsSessionCheckSeconds * 1000);
    sweep.unref();
    app.addHook('onClose', async () => clearInterval(sweep));
    // A request that is not a GraphQL request (`{"query": 123}`) gets a plain 400, not mercurius internals.
    app.addHook('preValidation', async (request, reply) => {
      if (request.method !== 'POST' || request.url.split('?')[0] !== '/graphql') return;
      const body = request.body as { query?: unknown; operationName?: unknown } | null;
      const bad =
        !body ||
        typeof body !== 'object' ||
        Array.isArray(body) ||
        typeof body.query !== 'string' ||
        (body.operationName != null && typeof body.operationName !== 'string');
      if (bad) {
        return reply.code(400).send({
          data: null,
          errors: [
            {
              message:
                'send {"query": "<GraphQL document>", "variables": {...}, "operationName": "..."} with query a string',
              extensions: { code: 'BAD_USER_INPUT' },
            },
          ],
        });
      }
    });
    // In production, anonymous callers get neither the schema (introspection) nor "Did you mean"
    // suggestions. Checked before every execution (a cached document skips preValidation).
    const hideSchema = (user: SessionUser | null) => config.production && !user;
    app.graphql.addHook('preExecution', async (schema, document, context) => {
      if (!hideSchema((context as unknown as Ctx).user)) return;
      const errors = cjsGraphql.validate(schema, document, [cjsGraphql.NoSchemaIntrospectionCustomRule]);
      if (errors.length) throw new ApiError('UNAUTHENTICATED', 'sign in to introspect the schema');
    });
    // mercurius applies validationRules over HTTP only; subscriptions get the same limits here.
    const rules = limitRules();
    app.graphql.addHook('preSubscriptionExecution', async (schema, document) => {
      const errors = cjsGraphql.validate(schema, document, rules);
      if (errors.length) throw new ApiError('QUERY_TOO_COMPLEX', errors.map((e) => e.message).join(' '));
    });
  },
  { name: 'graphql', dependencies: ['config', 'db', 'auth'] },
);
