'use client';
// The GraphQL client: queries and mutations over same-origin HTTP (with the CSRF header),
// subscriptions over graphql-ws straight to the api (Next cannot proxy WebSockets).
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { Client, Provider, cacheExchange, fetchExchange, subscriptionExchange } from 'urql';
import { csrfFetch } from './api';

/** Where the browser finds the api's WebSocket endpoint, decided by the server at request time. */
export interface WsEndpoint {
  /** A full ws:// or wss:// URL, when configured. */
  url: string | null;
  /** Otherwise the api's port on the page's own host. */
  port: string;
}

/** Builds the api's WebSocket URL from the page's location. */
export function wsUrlFor(endpoint: WsEndpoint, location: { protocol: string; hostname: string }): string {
  if (endpoint.url) return endpoint.url;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const host = location.hostname.includes(':') ? `[${location.hostname}]` : location.hostname;
  return `${scheme}://${host}:${endpoint.port}/graphql`;
}

type ReconnectListener = () => void;
const ReconnectContext = createContext<(listener: ReconnectListener) => () => void>(() => () => {});

/** Subscribes to "the subscription socket reconnected" (events may have been missed: refetch). */
export function useOnReconnect(listener: ReconnectListener): void {
  const subscribe = useContext(ReconnectContext);
  useEffect(() => subscribe(listener), [subscribe, listener]);
}

function makeClients(endpoint: WsEndpoint, onReconnect: () => void): { client: Client; ws: WsClient | null } {
  if (typeof window === 'undefined') {
    // Server render: nothing is fetched there (the api is reached through the browser's cookies),
    // so operations stay pending and pages render their loading state.
    return { client: new Client({ url: '/graphql', exchanges: [] }), ws: null };
  }
  let connectedBefore = false;
  const ws = createWsClient({
    url: wsUrlFor(endpoint, window.location),
    lazy: true,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    on: {
      connected: () => {
        if (connectedBefore) onReconnect();
        connectedBefore = true;
      },
    },
  });
  const client = new Client({
    url: '/graphql',
    fetch: csrfFetch,
    requestPolicy: 'cache-and-network',
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return { client, ws };
}

/** Provides the urql client to every client component below it. */
export function GraphQLProvider({ endpoint, children }: { endpoint: WsEndpoint; children: ReactNode }) {
  const [listeners] = useState(() => new Set<ReconnectListener>());
  const [{ client, ws }] = useState(() => makeClients(endpoint, () => listeners.forEach((l) => l())));
  const [subscribe] = useState(() => (listener: ReconnectListener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  });
  useEffect(() => () => void ws?.dispose(), [ws]);
  return (
    <ReconnectContext.Provider value={subscribe}>
      <Provider value={client}>{children}</Provider>
    </ReconnectContext.Provider>
  );
}
