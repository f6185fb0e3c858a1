// Typed errors shared by GraphQL and REST: one code per kind, with a message a person can act on.
import mercurius from 'mercurius';
import { z } from 'zod';

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
    const msg = result.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
    throw new ApiError('BAD_USER_INPUT', msg, { fields: result.error.issues.map((i) => i.path.join('.')) });
  }
  return result.data;
}

/** The REST error body `{ error: { code, message } }`. */
export function restError(code: ErrorCode | string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}
