// The api's configuration, read from the environment and validated once, at the edge.
import { z } from 'zod';
import { DEFAULT_COOLDOWN } from '@kubegrade/db';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const DEV_SESSION_SECRET = 'kubegrade-dev-session-secret-change-me-0123456789';
// A fixed key is only acceptable outside production, where webhook secrets guard nothing real.
const DEV_WEBHOOK_KEY = Buffer.alloc(32, 7).toString('base64');

const envSchema = z.object({
  NODE_ENV: z.string().default('development'),
  DATABASE_URL: z.string().url().optional(),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  API_HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: z.string().url().default('http://localhost:3000'),
  WEB_ORIGIN: z.string().url().optional(),
  API_PUBLIC_URL: z.string().url().optional(),
  SESSION_SECRET: z.string().min(32, 'SESSION_SECRET must be at least 32 characters').optional(),
  WEBHOOK_ENCRYPTION_KEY: z.string().optional(),
  WORKER_CONCURRENCY: z.coerce.number().int().positive().default(4),
  COOLDOWN_RATE_PER_MINUTE: z.coerce.number().positive().default(DEFAULT_COOLDOWN.rate),
  COOLDOWN_BURST: z.coerce.number().int().positive().default(DEFAULT_COOLDOWN.burst),
  WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().positive().default(300),
  WEBHOOK_PUSH_NAMESPACE_FROM: z.enum(['repository', 'branch']).default('repository'),
  WEBHOOK_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(60),
  LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(10),
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  OIDC_ALLOW_HTTP: bool.default(false),
  LABS_DIR: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: z.string().default('false'),
  LOGIN_CLIENT_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(30),
  WS_SESSION_CHECK_SECONDS: z.coerce.number().positive().default(60),
});

/**
 * TRUST_PROXY: `false` (default), a hop count (`1` = the one proxy in front, e.g. the web app;
 * `true` means 1), or comma-separated proxy addresses/CIDRs (`127.0.0.1,10.0.0.0/8`, or proxy-addr's
 * `loopback`, `uniquelocal`). Only addresses appended by trusted hops count: the client's own
 * X-Forwarded-For entries never become request.ip.
 */
export function parseTrustProxy(value: string): false | number | string {
  const v = value.trim().toLowerCase();
  if (['', 'false', '0', 'no'].includes(v)) return false;
  if (['true', 'yes'].includes(v)) return 1;
  if (/^\d+$/.test(v)) return Number(v);
  const parts = v
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const addr = /^(loopback|linklocal|uniquelocal|[0-9a-f:.]+(\/\d{1,3})?)$/;
  const bad = parts.filter((p) => !addr.test(p));
  if (bad.length || !parts.length) {
    throw new ConfigError(
      `TRUST_PROXY must be false, a hop count, or proxy addresses/CIDRs (got ${bad.join(', ') || value})`,
    );
  }
  return parts.join(',');
}

/** OIDC settings, present only when all three variables are set. */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Allow an http:// issuer (a local development identity provider; refused in production). */
  allowHttp: boolean;
}

/** The validated configuration every plugin reads. */
export interface Config {
  production: boolean;
  databaseUrl: string;
  port: number;
  host: string;
  publicUrl: string;
  /** Origins allowed to open the subscription WebSocket. */
  allowedOrigins: string[];
  /** Where webhook senders reach the api (shown as each hook's URL). */
  apiPublicUrl: string;
  sessionSecret: string;
  /** Whether sessionSecret is the built-in development default (main.ts warns). */
  sessionSecretIsDefault: boolean;
  /** 32-byte AES-256-GCM key for webhook secrets at rest. */
  webhookKey: Buffer;
  webhookKeyIsDefault: boolean;
  cooldown: { rate: number; burst: number };
  /** Jobs graded at once across workers, for queue wait estimates. */
  workerConcurrency: number;
  webhookToleranceSeconds: number;
  webhookPushNamespaceFrom: 'repository' | 'branch';
  webhookRateLimitPerMinute: number;
  /** Sign-in attempts per client (account, email) and minute. */
  loginRateLimitPerMinute: number;
  /** Sign-in attempts per client across all accounts and minute (password spraying). */
  loginClientRateLimitPerMinute: number;
  oidc: OidcConfig | null;
  labsDir: string | undefined;
  logLevel: string;
  /** How often open subscription sockets are checked against their sessions (expired or ended: closed). */
  wsSessionCheckSeconds: number;
  /** fastify's trustProxy: false, a hop count, or the proxies' addresses. */
  trustProxy: false | number | string;
}

/** A configuration error naming every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Decodes a 32-byte key given as base64 or hex. */
export function decodeKey(value: string): Buffer {
  const hex = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : null;
  const key = hex ?? Buffer.from(value, 'base64');
  if (key.length !== 32) {
    throw new ConfigError(
      `WEBHOOK_ENCRYPTION_KEY must be 32 bytes as base64 or hex (got ${key.length} bytes); create one with: openssl rand -base64 32`,
    );
  }
  return key;
}

/**
 * Reads the configuration from `env`. `databaseUrl` is required here: main.ts starts the embedded
 * server first when DATABASE_URL is unset and passes its URL in.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  if (production && !e.SESSION_SECRET) {
    throw new ConfigError(
      'SESSION_SECRET is required in production (at least 32 random characters: openssl rand -base64 48)',
    );
  }
  if (production && !e.WEBHOOK_ENCRYPTION_KEY) {
    throw new ConfigError('WEBHOOK_ENCRYPTION_KEY is required in production (openssl rand -base64 32)');
  }
  const oidcVars = [e.OIDC_ISSUER, e.OIDC_CLIENT_ID, e.OIDC_CLIENT_SECRET];
  if (oidcVars.some(Boolean) && !oidcVars.every(Boolean)) {
    throw new ConfigError('OIDC needs all of OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET (or none)');
  }
  if (production && e.OIDC_ALLOW_HTTP)
    throw new ConfigError(
      'OIDC_ALLOW_HTTP is for a local development identity provider; production needs an https issuer',
    );
  const publicUrl = e.PUBLIC_URL.replace(/\/$/, '');
  const origins = new Set([new URL(publicUrl).origin]);
  if (e.WEB_ORIGIN) origins.add(new URL(e.WEB_ORIGIN).origin);
  const config: Config = {
    production,
    databaseUrl: e.DATABASE_URL ?? '',
    port: e.API_PORT,
    host: e.API_HOST,
    publicUrl,
    allowedOrigins: [...origins],
    apiPublicUrl: (e.API_PUBLIC_URL ?? `http://${e.API_HOST}:${e.API_PORT}`).replace(/\/$/, ''),
    sessionSecret: e.SESSION_SECRET ?? DEV_SESSION_SECRET,
    sessionSecretIsDefault: !e.SESSION_SECRET,
    webhookKey: decodeKey(e.WEBHOOK_ENCRYPTION_KEY ?? DEV_WEBHOOK_KEY),
    webhookKeyIsDefault: !e.WEBHOOK_ENCRYPTION_KEY,
    cooldown: { rate: e.COOLDOWN_RATE_PER_MINUTE, burst: e.COOLDOWN_BURST },
    workerConcurrency: e.WORKER_CONCURRENCY,
    webhookToleranceSeconds: e.WEBHOOK_TOLERANCE_SECONDS,
    webhookPushNamespaceFrom: e.WEBHOOK_PUSH_NAMESPACE_FROM,
    webhookRateLimitPerMinute: e.WEBHOOK_RATE_LIMIT_PER_MINUTE,
    loginRateLimitPerMinute: e.LOGIN_RATE_LIMIT_PER_MINUTE,
    loginClientRateLimitPerMinute: e.LOGIN_CLIENT_RATE_LIMIT_PER_MINUTE,
    oidc:
      e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET
        ? {
            issuer: e.OIDC_ISSUER,
            clientId: e.OIDC_CLIENT_ID,
            clientSecret: e.OIDC_CLIENT_SECRET,
            allowHttp: e.OIDC_ALLOW_HTTP,
          }
        : null,
    labsDir: e.LABS_DIR,
    logLevel: e.LOG_LEVEL,
    wsSessionCheckSeconds: e.WS_SESSION_CHECK_SECONDS,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    ...overrides,
  };
  return config;
}
