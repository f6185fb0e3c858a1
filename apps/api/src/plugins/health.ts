// Liveness (/healthz) and readiness (/readyz: the database answers and pg-boss's 'grade' queue is there).
import fp from 'fastify-plugin';

/** Registers /healthz and /readyz. */
export default fp(
  async (app) => {
    app.get('/healthz', async () => ({ ok: true }));
    app.get('/readyz', async (_request, reply) => {
      const checks: Record<string, string> = {};
      try {
        await app.db.$queryRaw`SELECT 1`;
        checks.database = 'ok';
      } catch (err) {
        checks.database = `unreachable: ${(err as Error).message.split('\n')[0]}`;
      }
      try {
        checks.queue = (await app.queue.getQueue('grade'))
          ? 'ok'
          : "missing: the 'grade' queue does not exist";
      } catch (err) {
        checks.queue = `unreachable: ${(err as Error).message.split('\n')[0]}`;
      }
      const ok = Object.values(checks).every((v) => v === 'ok');
      return reply.code(ok ? 200 : 503).send({ ok, checks });
    });
  },
  { name: 'health', dependencies: ['db'] },
);
