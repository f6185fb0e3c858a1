// The Prisma client (app.db), the run pub/sub emitter (app.pubsub) and the grading queue
// (pg-boss: the api only sends jobs, workers supervise), all closed with the app.
import fp from 'fastify-plugin';
import { createPrisma } from '@kubegrade/db';
import { createPubSub, startQueue } from '../lib/runs.ts';

/** Decorates the instance with `db` and `pubsub`. */
export default fp<{ onStatement?: (sql: string) => void }>(
  async (app, opts) => {
    const db = createPrisma(app.config.databaseUrl, { max: 5, onStatement: opts.onStatement });
    const pubsub = await createPubSub(app.config.databaseUrl, {
      onError: (err) => app.log.warn({ err }, 'pub/sub connection error'),
    });
    // Creates pg-boss's schema and the 'grade' queue if missing, so submitRun can enqueue.
    const queue = await startQueue(app.config.databaseUrl, {
      max: 2,
      supervise: false,
      onError: (err) => app.log.warn({ err }, 'queue error'),
    });
    app.decorate('db', db);
    app.decorate('pubsub', pubsub);
    app.decorate('queue', queue);
    app.addHook('onClose', async () => {
      await queue.stop({ graceful: false, wait: true });
      await new Promise<void>((resolve) => pubsub.close(() => resolve()));
      await db.$disconnect();
    });
  },
  { name: 'db', dependencies: ['config'] },
);
