// Typed failures of the grader or the cluster. None of these is ever the student's fault: the runner
// turns each into a check with status `error`, which never counts against them.

/** Why the cluster or the grader could not answer. */
export type ClusterErrorKind =
  | 'unreachable'
  | 'timeout'
  | 'forbidden'
  | 'unauthorized'
  | 'throttled'
  | 'server'
  | 'conflict'
  | 'cancelled'
  | 'environment'
  | 'unexpected';

/** A failure of the cluster, the network or the course environment, with a message a person can act on. */
export class ClusterError extends Error {
  override readonly name = 'ClusterError';
  constructor(
    readonly kind: ClusterErrorKind,
    message: string,
    readonly statusCode?: number,
  ) {
    super(message);
  }
}

/** The check's own deadline passed (or the run was cancelled) while it waited on the cluster. */
export class DeadlineError extends ClusterError {
  constructor(what: string, ms: number) {
    super('timeout', `${what} did not finish within ${Math.round(ms / 1000)} s`);
  }
}

/** The API server speaks an exec protocol older than v5, which cannot close a command's stdin. */
export class StdinCloseUnsupported extends Error {
  override readonly name = 'StdinCloseUnsupported';
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; cause?: unknown; errno?: unknown };
  if (typeof e.code === 'string') return e.code;
  if (e.cause) return errorCode(e.cause);
  return undefined;
}

function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  return undefined;
}

/** The HTTP status of an API error, if it had one (ApiException.code, watch errors' statusCode). */
export function httpStatus(err: unknown): number | undefined {
  return statusOf(err);
}

/** Maps anything the Kubernetes client can throw onto a ClusterError (404 is not handled here: callers decide). */
export function toClusterError(err: unknown, what: string): ClusterError {
  if (err instanceof ClusterError) return err;
  const status = statusOf(err);
  const msg = err instanceof Error ? err.message : String(err);
  if (status !== undefined) {
    if (status === 401)
      return new ClusterError(
        'unauthorized',
        `${what}: the API server rejected the grader's credentials (401)`,
        status,
      );
    if (status === 403)
      return new ClusterError(
        'forbidden',
        `${what}: forbidden (403); the grader's service account lacks this permission`,
        status,
      );
    if (status === 429)
      return new ClusterError('throttled', `${what}: the API server is throttling requests (429)`, status);
    if (status === 409)
      return new ClusterError('conflict', `${what}: conflict (409): the object changed meanwhile`, status);
    if (status >= 500)
      return new ClusterError('server', `${what}: the API server failed (${status})`, status);
    return new ClusterError('unexpected', `${what}: unexpected answer ${status}: ${firstLine(msg)}`, status);
  }
  const name = err instanceof Error ? err.name : '';
  if (name === 'AbortError' || name === 'TimeoutError' || /aborted|timed? ?out/i.test(msg)) {
    return new ClusterError('timeout', `${what}: no answer from the API server in time`);
  }
  const code = errorCode(err);
  if (
    code &&
    /ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|EPIPE|ETIMEDOUT|UND_ERR/.test(code)
  ) {
    return new ClusterError('unreachable', `${what}: cannot reach the API server (${code})`);
  }
  if (/ECONNREFUSED|socket hang up|ECONNRESET|network|fetch failed/i.test(msg)) {
    return new ClusterError('unreachable', `${what}: cannot reach the API server (${firstLine(msg)})`);
  }
  return new ClusterError('unexpected', `${what}: ${firstLine(msg)}`);
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
