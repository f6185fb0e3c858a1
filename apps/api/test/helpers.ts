// Test harness: a real PostgreSQL database per file, the shipped labs, a seeded class and HTTP
// "agents" that keep a session cookie and CSRF token like a browser does.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createTestDatabase, type PrismaClient, type TestDatabase } from '@kubegrade/db';
import { listLabs } from '@kubegrade/grader';
import { buildServer } from '../src/server.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { syncLabs } from '../src/lib/labs.ts';
import { seed, type SeedResult } from '../src/seed.ts';

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

/** Builds the harness; `env` adds environment variables for loadConfig. */
export async function setup(env: Record<string, string> = {}): Promise<Harness> {
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
  const config = loadConfig({ NODE_ENV: 'test', LOGIN_RATE_LIMIT_PER_MINUTE: '1000', ...env }, { databaseUrl: testDb.url });
  const app = await buildServer(config, { logger: false });
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

/** A GraphQL response body. */
export interface GqlBody<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; retryAfterSeconds?: number } }[];
}

/** A browser-like client: session cookie and CSRF token carried between requests. */
export class Agent {
  cookie = '';
  csrf = '';
  constructor(private readonly app: FastifyInstance) {}

  private absorb(res: LightMyRequestResponse): void {
    const set = res.headers['set-cookie'];
    const list = Array.isArray(set) ? set : set ? [set] : [];
    for (const c of list) {
      const [pair] = c.split(';');
      if (pair?.startsWith('kg_session=')) this.cookie = pair;
    }
  }

  /** Any request, with the cookie and (for state-changing methods) the CSRF header. */
  async request(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    if (method !== 'GET' && !this.csrf) await this.refreshCsrf();
    const res = await this.app.inject({
      method,
      url,
      payload: payload as never,
      headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...(method !== 'GET' ? { 'x-csrf-token': this.csrf } : {}), ...headers },
    });
    this.absorb(res);
    return res;
  }

  /** GET /auth/csrf. */
  async refreshCsrf(): Promise<void> {
    const res = await this.app.inject({ method: 'GET', url: '/auth/csrf', headers: this.cookie ? { cookie: this.cookie } : {} });
    this.absorb(res);
    this.csrf = (res.json() as { token: string }).token;
  }

  /** Signs in with email and the harness password. */
  async login(email: string, password = PASSWORD): Promise<LightMyRequestResponse> {
    return this.request('POST', '/auth/login', { email, password });
  }

  /** POST /graphql. */
  async gql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<GqlBody<T>> {
    const res = await this.request('POST', '/graphql', { query, variables });
    return res.json() as GqlBody<T>;
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
