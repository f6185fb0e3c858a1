// The Prisma client (app.db) and the run pub/sub emitter (app.pubsub), closed with the app.
import fp from 'fastify-plugin';
import { createPrisma } from '@kubegrade/db';
import { createPubSub } from '../lib/runs.ts';

/** Decorates the instance with `db` and `pubsub`. */
export default fp(
  async (app) => {
    const db = createPrisma(app.config.databaseUrl, { max: 5 });
    const pubsub = await createPubSub(app.config.databaseUrl);
    app.decorate('db', db);
    app.decorate('pubsub', pubsub);
    app.addHook('onClose', async () => {
      await new Promise<void>((resolve) => pubsub.close(() => resolve()));
      await db.$disconnect();
    });
  },
  { name: 'db', dependencies: ['config'] },
);
