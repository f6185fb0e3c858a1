// Every page response gets a Content-Security-Policy with a fresh nonce (Next.js reads it from the
// request headers and puts it on the scripts it inlines). The api routes it proxies are left alone.
import { NextResponse, type NextRequest } from 'next/server';
import { PATH_HEADER } from './lib/request-path';
import { contentSecurityPolicy, webSocketSources } from './lib/security-headers';

export function proxy(request: NextRequest): NextResponse {
  const nonce = btoa(crypto.randomUUID());
  const csp = contentSecurityPolicy({
    nonce,
    connect: webSocketSources(process.env, request.headers.get('host') ?? request.nextUrl.host),
    dev: process.env.NODE_ENV === 'development',
  });
  const headers = new Headers(request.headers);
  headers.set('content-security-policy', csp);
  // Server layouts read the page's path from here (to send a stranger to /login?next=<path>, with
  // the query: a shared scoreboard link keeps its filter through the sign-in).
  headers.set(PATH_HEADER, `${request.nextUrl.pathname}${request.nextUrl.search}`);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', csp);
  return response;
}

export const config = {
  matcher: [
    {
      source: '/((?!graphql|auth/|export/|webhooks/|healthz|_next/static|_next/image|icon.svg).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
