// The security headers of every page. Scripts run only with the per-request nonce (Next.js puts it
// on its own inline scripts when it finds it in the request's Content-Security-Policy, see
// src/proxy.ts); the page may not be framed; the api's WebSocket is the one other origin it talks to.

/** Headers that do not change per request (next.config.ts sends them on every response). */
export const STATIC_SECURITY_HEADERS: { key: string; value: string }[] = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  // set-password links carry a token in the URL: nothing of it leaves the site.
  { key: 'Referrer-Policy', value: 'same-origin' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
];

/** The WebSocket origins the page may open (the api's graphql-ws endpoint), as CSP sources. */
export function webSocketSources(env: Record<string, string | undefined>, pageHost: string): string[] {
  const explicit = env.API_WS_URL ?? env.NEXT_PUBLIC_API_WS_URL;
  if (explicit) return [new URL(explicit).origin];
  const port = env.API_PUBLIC_PORT ?? env.API_PORT ?? '4000';
  const hostname = pageHost.replace(/:\d+$/, '');
  return [`ws://${hostname}:${port}`, `wss://${hostname}:${port}`];
}

/** The Content-Security-Policy of one page response. */
export function contentSecurityPolicy(opts: { nonce: string; connect: string[]; dev?: boolean }): string {
  const directives: [string, string[]][] = [
    ['default-src', ["'self'"]],
    // 'strict-dynamic': scripts the nonce'd scripts load are trusted, nothing inline without the nonce.
    [
      'script-src',
      ["'self'", `'nonce-${opts.nonce}'`, "'strict-dynamic'", ...(opts.dev ? ["'unsafe-eval'"] : [])],
    ],
    // Charts and table widths set style attributes.
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['font-src', ["'self'"]],
    ['connect-src', ["'self'", ...opts.connect]],
    ['object-src', ["'none'"]],
    ['base-uri', ["'self'"]],
    ['form-action', ["'self'"]],
    ['frame-ancestors', ["'none'"]],
  ];
  return directives.map(([name, values]) => `${name} ${values.join(' ')}`).join('; ');
}
