// Names for the GraphQL results this app selects. The shapes are generated from the api's schema
// and the operations in src/lib/queries.ts (src/lib/graphql.generated.ts, `npm run codegen`);
// this file only gives the ones the components pass around a short name.
import type {
  ApiTokenFieldsFragment,
  CheckFieldsFragment,
  EventEndpointFieldsFragment,
  LabFieldsFragment,
  LtiPlatformFieldsFragment,
  LtiPushFieldsFragment,
  MeQuery,
  MyLabsQuery,
  RosterResultFieldsFragment,
  RowFieldsFragment,
  RunFieldsFragment,
  RunStatus,
  RunSummaryFieldsFragment,
  ScheduleFieldsFragment,
  ScoreboardQuery,
  ScoreLedgerQuery,
  WebhookFieldsFragment,
} from './graphql.generated';

export type { CheckStatus, Role, RunStatus, RunTrigger, ScorePolicy } from './graphql.generated';

/** Text in both course languages. */
export interface LocalizedText {
  zh: string;
  en: string;
}

/** A diagnosis for a failing check. */
export type Hint = NonNullable<CheckResult['hint']>;

/** A signed-in user. */
export type User = NonNullable<MeQuery['me']>;

/** A lab. */
export type Lab = LabFieldsFragment;

/** A check as declared by the lab. */
export type LabCheck = Lab['checks'][number];

/** One check's result within a run. */
export type CheckResult = CheckFieldsFragment;

/** A grading run. */
export type GradingRun = RunFieldsFragment;

/** A run as listed in a history table. */
export type RunSummary = RunSummaryFieldsFragment;

/** A lab as one student sees it. */
export type MyLab = MyLabsQuery['myLabs'][number];

/** The per-student grading cooldown. */
export type Cooldown = MyLab['cooldown'];

/** A student's enrollment. */
export type Enrollment = MyLab['enrollment'];

/** The scoreboard query's result. */
export type Scoreboard = ScoreboardQuery['scoreboard'];

/** One student's row on the scoreboard. */
export type ScoreboardRow = RowFieldsFragment;

/** One cell of the scoreboard. */
export type ScoreboardCell = ScoreboardRow['cells'][number];

/** A check's pass rate across the class. */
export type CheckPassRate = Scoreboard['passRateByCheck'][number];

/** A histogram bucket of scores. */
export type ScoreBucket = Scoreboard['scoreDistribution'][number];

/** The result of a roster import or its dry run. */
export type RosterImportResult = RosterResultFieldsFragment;

/** One roster line's planned or applied change. */
export type RosterChange = RosterImportResult['changes'][number];

/** A regrade webhook. */
export type Webhook = WebhookFieldsFragment;

/** One received webhook delivery. */
export type WebhookDelivery = Webhook['deliveries'][number];

/** An API token for scripts (the secret itself is shown only once, on create). */
export type ApiToken = ApiTokenFieldsFragment;

/** An endpoint that receives a course's signed events. */
export type EventEndpoint = EventEndpointFieldsFragment;

/** One event sent (or being sent) to an endpoint. */
export type EventDeliveryRow = EventEndpoint['deliveries'][number];

/** An LMS registered as an LTI 1.3 platform. */
export type LtiPlatform = LtiPlatformFieldsFragment;

/** One score sent (or being sent) to the LMS. */
export type LtiScorePush = LtiPushFieldsFragment;

/** Statuses that mean a run is still in progress. */
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ['QUEUED', 'RUNNING'];

/** Whether the run is still queued or running. */
export function isActive(run: { status: RunStatus } | null | undefined): boolean {
  return !!run && ACTIVE_RUN_STATUSES.includes(run.status);
}

/** A lab's dates (UTC ISO strings) and late rule. */
export type LabSchedule = ScheduleFieldsFragment;

/** How a student's lab score comes about (the scoreboard and the CSV show the same final score). */
export type ScoreLedger = ScoreLedgerQuery['scoreLedger'];
