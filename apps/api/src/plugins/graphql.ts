// GraphQL over HTTP and WebSocket (mercurius): the schema file is the contract, every operation is
// wrapped with its role rule, GraphiQL is off (it loads assets from a CDN), subscriptions speak
// graphql-transport-ws with the session cookie and an Origin check.
import { readFileSync } from 'node:fs';
import fp from 'fastify-plugin';
import mercurius from 'mercurius';
import { buildSchema, GraphQLError, type GraphQLFieldResolver } from 'graphql';
import type { FastifyRequest } from 'fastify';
import { ApiError, restError } from '../lib/errors.ts';
import { CooldownError, RunsError } from '../lib/runs.ts';
import { guard, rules, type Rule } from '../graphql/rules.ts';
import { operations } from '../graphql/resolvers.ts';
import { fieldResolvers, loaders } from '../graphql/fields.ts';
import { DateTime, JSONScalar } from '../graphql/scalars.ts';
import type { Ctx } from '../graphql/context.ts';
import type { SessionUser } from '../types.ts';

/** The schema's SDL (apps/api/src/graphql/schema.graphql), the single source of the schema. */
export const schemaSDL = readFileSync(new URL('../graphql/schema.graphql', import.meta.url), 'utf8');

type OpType = 'Query' | 'Mutation' | 'Subscription';

/** Throws when a schema operation has no rule or resolver, or a rule names no schema field. */
export function checkRuleCoverage(): void {
  const schema = buildSchema(schemaSDL);
  const problems: string[] = [];
  for (const type of ['Query', 'Mutation', 'Subscription'] as OpType[]) {
    const fields = Object.keys(schema.getType(type) ? (schema.getType(type) as unknown as { getFields(): object }).getFields() : {});
    for (const f of fields) {
      if (!rules[type][f]) problems.push(`${type}.${f} has no role rule`);
      if (!(f in operations[type])) problems.push(`${type}.${f} has no resolver`);
    }
    for (const f of Object.keys(rules[type])) if (!fields.includes(f)) problems.push(`rule for ${type}.${f} names no schema field`);
  }
  if (problems.length) throw new Error(`GraphQL rules out of step with schema.graphql:\n  ${problems.join('\n  ')}`);
}

function wrap<T extends GraphQLFieldResolver<unknown, Ctx>>(rule: Rule, name: string, fn: T): GraphQLFieldResolver<unknown, Ctx> {
  return async (root, args, ctx, info) => {
    guard(rule, ctx.user, name);
    try {
      return await fn(root, args, ctx, info);
    } catch (err) {
      if (err instanceof ApiError) throw err;
      if (err instanceof CooldownError) {
        throw new ApiError('COOLDOWN', `you can grade again in ${err.retryAfterSeconds} s`, { retryAfterSeconds: err.retryAfterSeconds });
      }
      if (err instanceof RunsError && err.code === 'NOT_FOUND') throw new ApiError('NOT_FOUND', err.message);
      // Unexpected errors (database, bugs) are logged in full and reported without internals.
      ctx.app.log.error({ err, operation: name }, 'GraphQL resolver failed');
      throw new ApiError('INTERNAL', `${name} failed on the server; the api log has the details`);
    }
  };
}

function guardedResolvers() {
  const out: Record<string, Record<string, unknown>> = {};
  for (const type of ['Query', 'Mutation'] as const) {
    out[type] = {};
    for (const [name, fn] of Object.entries(operations[type])) {
      out[type][name] = wrap(rules[type][name]!, name, fn as GraphQLFieldResolver<unknown, Ctx>);
    }
  }
  out.Subscription = {};
  for (const [name, def] of Object.entries(operations.Subscription)) {
    out.Subscription[name] = {
      subscribe: wrap(rules.Subscription[name]!, name, def.subscribe as GraphQLFieldResolver<unknown, Ctx>),
      resolve: def.resolve,
    };
  }
  return out;
}

async function userFromRequest(request: FastifyRequest): Promise<SessionUser | null> {
  return request.user ?? null;
}

/** Registers mercurius at /graphql. */
export default fp(
  async (app) => {
    checkRuleCoverage();
    const { config } = app;
    await app.register(mercurius, {
      schema: schemaSDL,
      resolvers: { DateTime, JSON: JSONScalar, ...guardedResolvers(), ...fieldResolvers } as never,
      loaders: loaders as never,
      graphiql: false,
      ide: false,
      path: '/graphql',
      queryDepth: 12,
      context: async (request) => ({ db: app.db, config, user: await userFromRequest(request) }),
      // Request-level failures (a refused CSRF token) keep the REST error shape the web app expects;
      // anything else is answered the way mercurius does by default.
      errorHandler: async (error, request, reply) => {
        const code = (error as { code?: string }).code;
        if (code === 'FST_CSRF_MISSING_SECRET' || code === 'FST_CSRF_INVALID_TOKEN') {
          await reply.code(403).send(restError('CSRF', 'missing or wrong CSRF token: GET /auth/csrf and send it as the x-csrf-token header'));
          return;
        }
        const { statusCode, response } = mercurius.defaultErrorFormatter(
          { errors: [new GraphQLError(error.message, { originalError: error })] } as never,
          { reply, app } as never,
        );
        request.log.info({ err: error }, 'GraphQL request refused');
        await reply.code(statusCode).send(response);
      },
      errorFormatter: (execution, ctx) => {
        const formatted = mercurius.defaultErrorFormatter(execution, ctx);
        // Typed errors are answers, not transport failures: keep HTTP 200 as graphql-over-http says.
        if (execution.errors?.every((e) => e.originalError instanceof ApiError)) formatted.statusCode = 200;
        return formatted;
      },
      subscription: {
        emitter: app.pubsub,
        verifyClient: (info, next) => {
          const allowed = !info.origin || config.allowedOrigins.includes(info.origin);
          next(allowed, allowed ? undefined : 403, allowed ? undefined : 'origin not allowed');
        },
        context: async (_socket, request) => ({ db: app.db, config, user: await userFromRequest(request) }),
      },
    });
  },
  { name: 'graphql', dependencies: ['config', 'db', 'auth'] },
);
