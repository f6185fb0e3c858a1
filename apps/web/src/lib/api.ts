// Same-origin calls to the api (proxied by this app's route handlers), with the CSRF header the
// api requires on every state-changing request. The token is bound to the session, so it is
// fetched again after sign-in/out and whenever the api answers 403 CSRF.

let csrfToken: Promise<string> | null = null;

/** An error the api returned as `{ error: { code, message } }`, or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function loadCsrfToken(): Promise<string> {
  const res = await fetch('/auth/csrf', { credentials: 'same-origin', cache: 'no-store' });
  if (!res.ok) throw await toApiError(res);
  const body = (await res.json()) as { token?: unknown };
  if (typeof body.token !== 'string')
    throw new ApiError(res.status, 'CSRF', 'The api did not return a CSRF token');
  return body.token;
}

/** The session's CSRF token, fetched once and cached until forgetCsrfToken(). */
export function getCsrfToken(): Promise<string> {
  if (!csrfToken) {
    csrfToken = loadCsrfToken().catch((err: unknown) => {
      csrfToken = null;
      throw err;
    });
  }
  return csrfToken;
}

/** Drops the cached token; call after the session changes (sign-in, sign-out). */
export function forgetCsrfToken(): void {
  csrfToken = null;
}

async function toApiError(res: Response): Promise<ApiError> {
  try {
    const body = (await res.clone().json()) as { error?: unknown; code?: unknown; message?: unknown };
    if (typeof body.error === 'object' && body.error !== null) {
      const e = body.error as { code?: unknown; message?: unknown };
      return new ApiError(
        res.status,
        typeof e.code === 'string' ? e.code : 'HTTP',
        typeof e.message === 'string' ? e.message : res.statusText,
      );
    }
    // fastify's own error shape: { statusCode, code, error: 'Forbidden', message }.
    if (typeof body.code === 'string')
      return new ApiError(
        res.status,
        body.code,
        typeof body.message === 'string' ? body.message : res.statusText,
      );
  } catch {
    // Not JSON (e.g. a proxy error page); fall through to the status line.
  }
  return new ApiError(res.status, `HTTP_${res.status}`, res.statusText || `HTTP ${res.status}`);
}

async function isCsrfRejection(res: Response): Promise<boolean> {
  if (res.status !== 403) return false;
  const err = await toApiError(res);
  return err.code === 'CSRF' || err.code.startsWith('FST_CSRF');
}

function isSafeMethod(method: string | undefined): boolean {
  const m = (method ?? 'GET').toUpperCase();
  return m === 'GET' || m === 'HEAD' || m === 'OPTIONS';
}

/**
 * fetch() with the session cookie and, for state-changing methods, the CSRF header; retries once
 * with a fresh token when the api says the token is stale. Used by urql and the auth forms.
 */
export async function csrfFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  if (isSafeMethod(init.method)) return fetch(input, { credentials: 'same-origin', ...init });
  const send = async (): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('x-csrf-token', await getCsrfToken());
    return fetch(input, { credentials: 'same-origin', ...init, headers });
  };
  const first = await send();
  if (!(await isCsrfRejection(first))) return first;
  forgetCsrfToken();
  return send();
}

/** POSTs JSON to an api REST route and returns the parsed body, or throws ApiError. */
export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const res = await csrfFetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  if (!res.ok) throw await toApiError(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** GETs JSON from an api REST route, or throws ApiError. */
export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
  if (!res.ok) throw await toApiError(res);
  return (await res.json()) as T;
}
