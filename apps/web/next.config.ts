import type { NextConfig } from 'next';
import createNextIntlPlugin from 'next-intl/plugin';
import { STATIC_SECURITY_HEADERS } from './src/lib/security-headers';

// The locale comes from a cookie (no locale segment in URLs), resolved in src/i18n/request.ts.
const withNextIntl = createNextIntlPlugin('./src/i18n/request.ts');

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // nosniff, referrer policy and no framing on every response; the per-request CSP is src/proxy.ts.
  async headers() {
    return [{ source: '/:path*', headers: STATIC_SECURITY_HEADERS }];
  },
  // /graphql, /auth/* and /export/* are proxied by route handlers (src/app/graphql, auth, export)
  // rather than `rewrites`, because rewrites are frozen into the build while API_URL is a runtime
  // setting (the e2e launcher and deployments pick the api's address after `next build`).
};

export default withNextIntl(config);
