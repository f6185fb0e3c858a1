// Typed errors shared by GraphQL and REST: one code per kind, with a message a person can act on,
// and the one error handler that turns every error a REST route (or a hook) raises into its answer.
import mercurius from 'mercurius';
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Every error code the api returns (GraphQL extensions.code, REST error.code). */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'COOLDOWN'
  | 'CONFLICT'
  | 'CSRF'
  | 'INVALID_CREDENTIALS'
  | 'RATE_LIMITED'
  | 'QUERY_TOO_COMPLEX'
  | 'TOO_MANY_SUBSCRIPTIONS'
  | 'PAYLOAD_TOO_LARGE'
  | 'INTERNAL';

const statusOf: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  COOLDOWN: 429,
  CONFLICT: 409,
  CSRF: 403,
  INVALID_CREDENTIALS: 401,
  RATE_LIMITED: 429,
  QUERY_TOO_COMPLEX: 400,
  TOO_MANY_SUBSCRIPTIONS: 429,
  PAYLOAD_TOO_LARGE: 413,
  INTERNAL: 500,
};

/** A GraphQL error carrying `extensions.code` (and any extra extensions). */
export class ApiError extends mercurius.ErrorWithProps {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { code, ...extra }, statusOf[code]);
    this.code = code;
  }
  /** The HTTP status a REST route answers with for this error. */
  get httpStatus(): number {
    return statusOf[this.code];
  }
}

/** Parses `value` with `schema`, throwing BAD_USER_INPUT naming each bad field. */
export function validate<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const msg = result.error.issues
      .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
      .join('; ');
    throw new ApiError('BAD_USER_INPUT', msg, { fields: result.error.issues.map((i) => i.path.join('.')) });
  }
  return result.data;
}

/** The REST error body `{ error: { code, message } }`. */
export function restError(
  code: ErrorCode | string,
  message: string,
): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

const CSRF_CODES = new Set(['FST_CSRF_MISSING_SECRET', 'FST_CSRF_INVALID_TOKEN']);

/** Whether @fastify/csrf-protection refused the request (a missing or wrong token). */
export function isCsrfError(err: unknown): boolean {
  return CSRF_CODES.has((err as { code?: unknown } | null)?.code as string);
}

/**
 * The error handler: ApiError with its code and status, a refused CSRF token as 403 `CSRF`, a
 * rate limit's 429, a schema's 400 `BAD_USER_INPUT`, other 4xx with fastify's code, and anything
 * else as 500 `INTERNAL` (logged, without internals in the answer). Every body is `restError`'s.
 */
export function replyError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof ApiError) return reply.code(err.httpStatus).send(restError(err.code, err.message));
  if (isCsrfError(err))
    return reply
      .code(403)
      .send(
        restError(
          'CSRF',
          'missing or wrong CSRF token: GET /auth/csrf and send it as the x-csrf-token header',
        ),
      );
  const e = err as {
    code?: string;
    statusCode?: number;
    message: string;
    validation?: unknown;
    error?: { code: string; message: string };
  };
  if (e.statusCode === 429)
    return reply.code(429).send(e.error ? { error: e.error } : restError('RATE_LIMITED', e.message));
  if (e.validation) return reply.code(400).send(restError('BAD_USER_INPUT', e.message));
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return reply.code(e.statusCode).send(restError(e.code ?? 'BAD_REQUEST', e.message));
  }
  request.log.error({ err }, 'request failed');
  return reply.code(500).send(restError('INTERNAL', 'the server failed; the api log has the details'));
}
