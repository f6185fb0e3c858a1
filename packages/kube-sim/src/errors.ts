// Kubernetes `Status` failures as typed errors. Handlers throw ApiError; the server turns it into
// the JSON body and HTTP code a real API server would send.

import type { ResourceInfo } from './resources.ts';

/** One field-level cause of an Invalid (422) error. */
export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

/** A meta.k8s.io/v1 Status object. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
  code: number;
}

/** An API failure with the code, reason and message the real API server uses. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: StatusBody['details'];

  constructor(code: number, reason: string, message: string, details?: StatusBody['details']) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  /** The Status body to send. */
  toStatus(): StatusBody {
    const body: StatusBody = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) body.details = this.details;
    return body;
  }
}

function qualified(res: ResourceInfo): string {
  return res.group ? `${res.plural}.${res.group}` : res.plural;
}

/** 404 NotFound: `pods "x" not found`. */
export function notFound(res: ResourceInfo, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualified(res)} "${name}" not found`, {
    name,
    ...(res.group ? { group: res.group } : {}),
    kind: res.plural,
  });
}

/** 409 AlreadyExists. */
export function alreadyExists(res: ResourceInfo, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualified(res)} "${name}" already exists`, {
    name,
    ...(res.group ? { group: res.group } : {}),
    kind: res.plural,
  });
}

/** 409 Conflict on a stale resourceVersion or a failed precondition. */
export function conflict(res: ResourceInfo, name: string, why?: string): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(res)} "${name}": ${
      why ?? 'the object has been modified; please apply your changes to the latest version and try again'
    }`,
    { name, ...(res.group ? { group: res.group } : {}), kind: res.plural },
  );
}

/** 422 Invalid with field causes, message shaped like `Kind "name" is invalid: field: ...`. */
export function invalid(res: ResourceInfo, name: string, causes: StatusCause[]): ApiError {
  const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const list = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${res.kind} "${name}" is invalid: ${list}`, {
    name,
    ...(res.group ? { group: res.group } : {}),
    kind: res.kind,
    causes,
  });
}

/** 400 BadRequest. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

/** 403 Forbidden. */
export function forbidden(message: string, details?: StatusBody['details']): ApiError {
  return new ApiError(403, 'Forbidden', message, details);
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(message: string): ApiError {
  return new ApiError(405, 'MethodNotAllowed', message);
}

/** 410 Gone (reason Expired) for a resourceVersion older than the watch window. */
export function expired(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

/** Field-cause helpers with the messages field.ErrorList produces. */
export const cause = {
  required(field: string, detail = ''): StatusCause {
    return { reason: 'FieldValueRequired', message: `Required value${detail ? `: ${detail}` : ''}`, field };
  },
  invalid(field: string, value: unknown, detail: string): StatusCause {
    return { reason: 'FieldValueInvalid', message: `Invalid value: ${goValue(value)}: ${detail}`, field };
  },
  unsupported(field: string, value: unknown, supported: string[]): StatusCause {
    return {
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${goValue(value)}: supported values: ${supported.map((s) => `"${s}"`).join(', ')}`,
      field,
    };
  },
  forbidden(field: string, detail: string): StatusCause {
    return { reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field };
  },
  duplicate(field: string, value: unknown): StatusCause {
    return { reason: 'FieldValueDuplicate', message: `Duplicate value: ${goValue(value)}`, field };
  },
};

/** Render a value the way Go's %#v does for the simple values our errors carry. */
function goValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  return JSON.stringify(value);
}
