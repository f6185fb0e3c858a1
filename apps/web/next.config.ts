import type { NextConfig } from 'next';
import createNextIntlPlugin from 'next-intl/plugin';

// The locale comes from a cookie (no locale segment in URLs), resolved in src/i18n/request.ts.
const withNextIntl = createNextIntlPlugin('./src/i18n/request.ts');

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // /graphql, /auth/* and /export/* are proxied by route handlers (src/app/graphql, auth, export)
  // rather than `rewrites`, because rewrites are frozen into the build while API_URL is a runtime
  // setting (the e2e launcher and deployments pick the api's address after `next build`).
};

export default withNextIntl(config);
