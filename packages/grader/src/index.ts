// @kubegrade/grader: the grading engine. Labs as data, check primitives, the runner, diagnosis.
export * from './types.ts';
export { grade, planChecks, runStatus } from './runner.ts';
export {
  loadLab,
  loadLabById,
  listLabs,
  validateLab,
  validateLabFile,
  resolveParams,
  resolveCheckParams,
  LabValidationError,
  LABS_DIR,
} from './lab/load.ts';
export type { LabIssue, LabValidation } from './lab/load.ts';
export { kubeConfigFrom } from './kube/config.ts';
export type { KubeConfigSource } from './kube/config.ts';
export { hints, hint, isHintKey } from './hints.ts';
export type { HintKey } from './hints.ts';
export {
  messages,
  msg,
  isMessage,
  isMessageKey,
  renderMessage,
  localize,
  localizeEvidence,
  placeholders,
} from './messages.ts';
export type { Lang, LocalizedMessage, Message, MessageKey, MessageParam } from './messages.ts';
export { GRADER_VERSION } from './version.ts';
export { EVIDENCE_LIMITS, capEvidence, cutText } from './truncate.ts';
export { ClusterError } from './errors.ts';
export type { ClusterErrorKind } from './errors.ts';
export { parseQuantity, compareQuantities, quantitiesEqual, sameSet } from './quantity.ts';
export { registerPrimitive, unregisterPrimitive, getPrimitive, primitiveNames } from './primitives/index.ts';
export type { CheckContext, Outcome, Primitive } from './primitives/index.ts';
export { toJsonReport, toJunit, toTable, messageOf, messageIn } from './report/index.ts';
export type { JsonReport } from './report/index.ts';
export { Cluster } from './kube/cluster.ts';
export type { ClusterOptions } from './kube/cluster.ts';
export * from './live/index.ts';
