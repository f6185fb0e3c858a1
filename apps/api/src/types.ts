// Decorations the plugins add to fastify's types.
import type { PrismaClient } from '@kubegrade/db';
import type { Config } from './config.ts';
import type PgBoss from 'pg-boss';
import type { PubSub } from './lib/runs.ts';
import type { LiveSockets } from './lib/live-sockets.ts';

/** The signed-in user as requests see it. */
export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: 'STUDENT' | 'INSTRUCTOR' | 'ADMIN';
  studentId: string | null;
}

/** The API token a request authenticated with (`Authorization: Bearer`), as rules see it. */
export interface ApiTokenGrant {
  id: string;
  name: string;
  scopes: string[];
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: PrismaClient;
    pubsub: PubSub;
    /** pg-boss, started without supervision (workers supervise). */
    queue: PgBoss;
    /** The open subscription sockets (caps, closing a session's sockets on sign-out). */
    liveSockets: LiveSockets;
  }
  interface FastifyRequest {
    /** The signed-in user, or null (set by the auth plugin). */
    user: SessionUser | null;
    /** The API token the request authenticated with, or null (session or anonymous). */
    apiToken: ApiTokenGrant | null;
  }
  interface Session {
    userId?: string;
    /** OIDC authorization-code flow state while the user is at the identity provider. */
    oidc?: { state: string; nonce: string; codeVerifier: string };
    _csrf?: string;
  }
}
