// Security headers. The api serves JSON and CSV only, so the strictest CSP fits.
import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';

/** Registers @fastify/helmet. */
export default fp(
  async (app) => {
    await app.register(helmet, {
      contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      // The web app on another origin reads the CSV export through its own proxy; nothing here is embedded.
      crossOriginResourcePolicy: { policy: 'same-site' },
    });
  },
  { name: 'helmet', dependencies: ['config'] },
);
