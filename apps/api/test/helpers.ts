// Test harness: a real PostgreSQL database per file, the shipped labs, a seeded class and HTTP
// "agents" that keep a session cookie and CSRF token like a browser does (src/client.ts).
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createTestDatabase, type PrismaClient, type TestDatabase } from '@kubegrade/db';
import { listLabs } from '@kubegrade/grader';
import { buildServer, type BuildOptions } from '../src/server.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { syncLabs } from '../src/lib/labs.ts';
import { seed, type SeedResult } from '../src/seed.ts';
import { ApiClient, type Transport } from '../src/client.ts';

export const PASSWORD = 'correct horse battery';

/** A running app over a fresh database, with an instructor, an admin and two students. */
export interface Harness {
  app: FastifyInstance;
  db: PrismaClient;
  testDb: TestDatabase;
  config: Config;
  seeded: SeedResult;
  labId: string;
  close(): Promise<void>;
}

/** Builds the harness; `env` adds environment variables for loadConfig, `build` options of buildServer. */
export async function setup(
  env: Record<string, string> = {},
  build: Omit<BuildOptions, 'logger'> = {},
): Promise<Harness> {
  const testDb = await createTestDatabase();
  await syncLabs(testDb.prisma, listLabs());
  const seeded = await seed(testDb.prisma, {
    courseSlug: 'k8s-storage',
    instructor: { email: 'teacher@example.edu', name: 'Teacher', password: PASSWORD },
    admin: { email: 'admin@example.edu', name: 'Admin', password: PASSWORD },
    students: [
      { email: 'ann@example.edu', name: 'Ann Li', studentId: 's1', namespace: 'ann', password: PASSWORD },
      { email: 'bob@example.edu', name: 'Bob Wu', studentId: 's2', namespace: 'bob', password: PASSWORD },
    ],
  });
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
      LOGIN_CLIENT_RATE_LIMIT_PER_MINUTE: '1000',
      ...env,
    },
    { databaseUrl: testDb.url },
  );
  const app = await buildServer(config, { ...build, logger: false });
  await app.ready();
  return {
    app,
    db: testDb.prisma,
    testDb,
    config,
    seeded,
    labId: 'redis-exist-pvc',
    async close() {
      await app.close();
      await testDb.drop();
    },
  };
}

export type { GqlBody } from '../src/client.ts';

/** The api's client over app.inject (no port). */
function injectTransport(app: FastifyInstance): Transport<LightMyRequestResponse> {
  return {
    send: ({ method, path, headers, payload }) =>
      app.inject({ method: method as 'GET', url: path, payload: payload as never, headers }),
    status: (res) => res.statusCode,
    setCookies: (res) => {
      const set = res.headers['set-cookie'];
      return Array.isArray(set) ? set : set ? [set] : [];
    },
    json: async (res) => res.json(),
    text: async (res) => res.body,
  };
}

/** A browser-like client of `app`: the api's client over app.inject, signing in with the harness password. */
export class Agent extends ApiClient<LightMyRequestResponse> {
  constructor(app: FastifyInstance) {
    super(injectTransport(app));
  }

  /** Signs in with email and (by default) the harness password. */
  override async login(email: string, password = PASSWORD): Promise<LightMyRequestResponse> {
    return super.login(email, password);
  }
}

/** Agents signed in as each seeded role (anonymous has no session). */
export async function agents(h: Harness) {
  const make = async (email?: string) => {
    const a = new Agent(h.app);
    if (email) {
      const res = await a.login(email);
      if (res.statusCode !== 200) throw new Error(`login ${email}: ${res.statusCode} ${res.body}`);
    }
    return a;
  };
  return {
    anonymous: await make(),
    student: await make('ann@example.edu'),
    otherStudent: await make('bob@example.edu'),
    instructor: await make('teacher@example.edu'),
    admin: await make('admin@example.edu'),
  };
}
