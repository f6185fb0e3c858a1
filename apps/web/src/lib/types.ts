// TypeScript shapes of the GraphQL results this app selects (apps/api/src/graphql/schema.graphql).

/** The user's role. */
export type Role = 'STUDENT' | 'INSTRUCTOR' | 'ADMIN';
/** A run's lifecycle state. */
export type RunStatus = 'QUEUED' | 'RUNNING' | 'PASSED' | 'FAILED' | 'ERROR' | 'CANCELLED';
/** A check's state within a run. */
export type CheckStatus = 'PENDING' | 'RUNNING' | 'PASS' | 'FAIL' | 'ERROR' | 'SKIPPED';
/** Who started a run. */
export type RunTrigger = 'STUDENT' | 'INSTRUCTOR' | 'WEBHOOK' | 'SCHEDULE';

/** Text in both course languages. */
export interface LocalizedText {
  zh: string;
  en: string;
}

/** A diagnosis for a failing check. */
export interface Hint extends LocalizedText {
  key: string;
}

/** A signed-in user. */
export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  studentId?: string | null;
}

/** A check as declared by the lab. */
export interface LabCheck {
  id: string;
  title: LocalizedText;
  points: number;
  disruptive: boolean;
  needs?: string[];
}

/** A lab. */
export interface Lab {
  id: string;
  version: string;
  title: LocalizedText;
  enabled: boolean;
  disruptiveEnabled: boolean;
  checks: LabCheck[];
  maxScore: number;
}

/** One check's result within a run. */
export interface CheckResult {
  checkId: string;
  title: LocalizedText;
  status: CheckStatus;
  points: number;
  maxPoints: number;
  message: string | null;
  hint: Hint | null;
  evidence: unknown;
  durationMs: number | null;
  finishedAt: string | null;
}

/** A grading run. */
export interface GradingRun {
  id: string;
  lab: { id: string; title: LocalizedText };
  namespace: string;
  student: { id: string; name: string; email: string } | null;
  trigger: RunTrigger;
  status: RunStatus;
  score: number | null;
  maxScore: number;
  disruptive: boolean;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  errorDetail: string | null;
  graderVersion: string | null;
  checks: CheckResult[];
  queuePosition: number | null;
  estimatedWaitSeconds: number | null;
}

/** A run as listed in a history table. */
export interface RunSummary {
  id: string;
  status: RunStatus;
  trigger: RunTrigger;
  score: number | null;
  maxScore: number;
  disruptive: boolean;
  queuedAt: string;
  finishedAt: string | null;
}

/** The per-student grading cooldown. */
export interface Cooldown {
  tokensAvailable: number;
  retryAfterSeconds: number;
}

/** A student's enrollment. */
export interface Enrollment {
  id: string;
  namespace: string;
  course: { id: string; slug: string; name: string };
}

/** A lab as one student sees it. */
export interface MyLab {
  lab: Lab;
  enrollment: Enrollment;
  latestRun: GradingRun | null;
  bestScore: number | null;
  cooldown: Cooldown;
}

/** One cell of the scoreboard. */
export interface ScoreboardCell {
  checkId: string;
  status: CheckStatus;
  points: number;
}

/** One student's row on the scoreboard. */
export interface ScoreboardRow {
  enrollment: { id: string; namespace: string };
  student: { id: string; name: string; email: string; studentId: string | null };
  namespace: string;
  latestRun: { id: string; status: RunStatus; score: number | null; finishedAt: string | null } | null;
  bestScore: number | null;
  score: number | null;
  maxScore: number;
  cells: ScoreboardCell[];
  lastGradedAt: string | null;
}

/** A check's pass rate across the class. */
export interface CheckPassRate {
  checkId: string;
  title: LocalizedText;
  passed: number;
  graded: number;
  rate: number;
}

/** A histogram bucket of scores. */
export interface ScoreBucket {
  from: number;
  to: number;
  count: number;
}

/** The scoreboard query's result. */
export interface Scoreboard {
  lab: Lab;
  total: number;
  rows: ScoreboardRow[];
  passRateByCheck: CheckPassRate[];
  scoreDistribution: ScoreBucket[];
}

/** One roster line's planned or applied change. */
export interface RosterChange {
  line: number;
  action: string;
  email: string;
  name: string;
  studentId: string | null;
  namespace: string;
  setPasswordUrl: string | null;
}

/** The result of a roster import or its dry run. */
export interface RosterImportResult {
  dryRun: boolean;
  created: number;
  updated: number;
  unchanged: number;
  changes: RosterChange[];
  errors: { line: number; message: string }[];
}

/** One received webhook delivery. */
export interface WebhookDelivery {
  id: string;
  deliveryId: string;
  receivedAt: string;
  outcome: string;
  reason: string | null;
  runIds: string[];
}

/** A regrade webhook. */
export interface Webhook {
  id: string;
  name: string;
  url: string;
  scopeKind: 'ALL' | 'LABS' | 'NAMESPACES';
  labs: string[];
  namespaces: string[];
  active: boolean;
  createdAt: string;
  activeSecrets: number;
  deliveries: WebhookDelivery[];
}

/** Statuses that mean a run is still in progress. */
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ['QUEUED', 'RUNNING'];

/** Whether the run is still queued or running. */
export function isActive(run: { status: RunStatus } | null | undefined): boolean {
  return !!run && ACTIVE_RUN_STATUSES.includes(run.status);
}
