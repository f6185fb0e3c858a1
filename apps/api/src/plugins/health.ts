// Liveness (/healthz) and readiness (/readyz: the database answers and the queue's schema exists).
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
        // pg-boss keeps its tables in the "pgboss" schema; the worker (or submitRun) creates it.
        const rows = await app.db.$queryRaw<{ ok: boolean }[]>`SELECT to_regclass('pgboss.job') IS NOT NULL AS ok`;
        checks.queue = rows[0]?.ok ? 'ok' : 'not installed (start the worker once)';
      } catch (err) {
        checks.queue = `unreachable: ${(err as Error).message.split('\n')[0]}`;
      }
      const ok = Object.values(checks).every((v) => v === 'ok');
      return reply.code(ok ? 200 : 503).send({ ok, checks });
    });
  },
  { name: 'health', dependencies: ['db'] },
);
