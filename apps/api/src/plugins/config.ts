// Makes the validated configuration available as `app.config`.
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';

/** Decorates the instance with `config`. */
export default fp<{ config: Config }>(
  async (app, opts) => {
    app.decorate('config', opts.config);
  },
  { name: 'config' },
);
