// The pure half of the server-side GraphQL helper (src/lib/server-graphql.ts): how a query becomes
// a GET request to the api and how the api's answer becomes data or one error message.
import { print, type DocumentNode } from 'graphql';

/** A query's answer as a server component uses it: the data, or a message a person can act on. */
export type QueryResult<T> = { data: T; error: null } | { data: null; error: string };

/**
 * The GET URL of a query (GET, not POST: the api asks every POST for a CSRF token bound to the
 * browser's session, and a query changes nothing).
 */
export function queryUrl(
  apiBase: string,
  document: DocumentNode,
  variables?: Record<string, unknown>,
): string {
  const url = new URL(`${apiBase.replace(/\/+$/, '')}/graphql`);
  url.searchParams.set('query', print(document));
  if (variables && Object.keys(variables).length > 0)
    url.searchParams.set('variables', JSON.stringify(variables));
  return url.toString();
}

/** The request headers passed on to the api: the session cookie, the language and the client's address. */
export const FORWARDED_HEADERS = ['cookie', 'accept-language', 'user-agent', 'x-forwarded-for'] as const;

/** Reads the api's answer (status and parsed body; `undefined` when the body was not JSON). */
export function queryResult<T>(status: number, statusText: string, body: unknown): QueryResult<T> {
  const b = (typeof body === 'object' && body !== null ? body : {}) as {
    data?: unknown;
    errors?: { message?: unknown }[];
    error?: { message?: unknown };
  };
  if (Array.isArray(b.errors) && b.errors.length > 0) {
    return {
      data: null,
      error: b.errors.map((e) => (typeof e.message === 'string' ? e.message : 'GraphQL error')).join('; '),
    };
  }
  if (b.error && typeof b.error.message === 'string') return { data: null, error: b.error.message };
  if (status >= 200 && status < 300 && typeof b.data === 'object' && b.data !== null)
    return { data: b.data as T, error: null };
  return { data: null, error: statusText || `HTTP ${status}` };
}
