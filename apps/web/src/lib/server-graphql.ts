// GraphQL from server components: the page's first data comes from the api during the render, on
// behalf of the browser whose request this is (its session cookie, language and address are passed
// on). Reads API_URL at request time, like the route handlers that proxy the browser's own calls.
import type { DocumentNode } from 'graphql';
import { headers } from 'next/headers';
import { FORWARDED_HEADERS, queryResult, queryUrl, type QueryResult } from './graphql-request';
import { apiBaseUrl } from './proxy';

export type { QueryResult } from './graphql-request';

/** Runs a query against the api as the signed-in browser; never cached. */
export async function serverQuery<T>(
  document: DocumentNode,
  variables?: Record<string, unknown>,
): Promise<QueryResult<T>> {
  const incoming = await headers();
  const forwarded = new Headers({ accept: 'application/json' });
  for (const name of FORWARDED_HEADERS) {
    const value = incoming.get(name);
    if (value) forwarded.set(name, value);
  }
  const host = incoming.get('host');
  if (host) forwarded.set('x-forwarded-host', host);
  forwarded.set('x-forwarded-proto', incoming.get('x-forwarded-proto') ?? 'http');
  let res: Response;
  try {
    res = await fetch(queryUrl(apiBaseUrl(), document, variables), { headers: forwarded, cache: 'no-store' });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return {
      data: null,
      error: `The Kubegrade api at ${apiBaseUrl()} did not answer (${reason}). Is it running?`,
    };
  }
  const body: unknown = await res.json().catch(() => undefined);
  return queryResult<T>(res.status, res.statusText, body);
}
