// @kubegrade/api: the fastify app, its configuration, the lab sync and the demo seed.
export { buildServer, type BuildOptions } from './server.ts';
export { loadConfig, ConfigError, decodeKey, type Config, type OidcConfig } from './config.ts';
export { syncLabs, toLabView, type LabView } from './lib/labs.ts';
export { seed, type SeedInput, type SeedResult } from './seed.ts';
export { verifyGithub, verifyStandard } from './lib/signatures.ts';
export {
  queryScoreboard,
  type ScoreboardData,
  type ScoreboardQuery,
  type ScoreboardRowData,
} from './lib/scoreboard.ts';
export { SESSION_COOKIE } from './plugins/auth.ts';
export type { SessionUser } from './types.ts';
