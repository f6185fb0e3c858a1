// The one place apps/api reaches the run lifecycle (packages/db/src/runs): submit/join/cancel,
// queue position, the cooldown bucket and the LISTEN/NOTIFY pub/sub. Resolvers and webhooks import
// from here, so the contract is visible in one file.
export {
  submitRun,
  cancelRun,
  queueInfo,
  cooldownStatus,
  takeCooldownToken,
  createPubSub,
  startQueue,
  runTopic,
  scoreboardTopic,
  RunsError,
  CooldownError,
  NotFoundError,
  type PubSub,
  type RunEvent,
  type SubmitRunInput,
  type CooldownConfig,
} from '@kubegrade/db';
