// A graphql-ws (graphql-transport-ws) client over a real WebSocket, carrying a session cookie and
// an Origin header the way a browser on the web app would.
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';

/** Opens a graphql-ws client against `url` (ws://...) with the given cookie and origin. */
export function wsClient(url: string, cookie: string, origin: string): Client {
  class CookieSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers: { ...(cookie ? { cookie } : {}), origin } });
    }
  }
  return createClient({ url, webSocketImpl: CookieSocket, lazy: true, retryAttempts: 0 });
}

/** One event or error of a subscription. */
export type SubOutcome =
  { data: Record<string, unknown> } | { errors: { message: string; extensions?: { code?: string } }[] };

/**
 * Subscribes and resolves with the first result or error. `poke` runs every 100 ms until then
 * (to publish an event once the server has registered the subscription); gives up after `ms`.
 */
export function firstResult(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  poke: () => void,
  ms = 15000,
): Promise<SubOutcome> {
  return new Promise((resolve, reject) => {
    const timer = setInterval(poke, 100);
    const deadline = setTimeout(() => {
      cleanup();
      reject(new Error(`no subscription result within ${ms} ms`));
    }, ms);
    const cleanup = () => {
      clearInterval(timer);
      clearTimeout(deadline);
      unsubscribe();
    };
    const unsubscribe = client.subscribe(
      { query, variables },
      {
        next: (value) => {
          cleanup();
          if (value.errors?.length) resolve({ errors: value.errors as never });
          else resolve({ data: value.data as Record<string, unknown> });
        },
        error: (err) => {
          cleanup();
          if (Array.isArray(err)) resolve({ errors: err as never });
          else reject(err instanceof Error ? err : new Error(JSON.stringify(err)));
        },
        complete: () => undefined,
      },
    );
  });
}
