// Pub/sub topic names and the events carried on them. Payloads carry ids only: a subscriber reads
// the rows from the database, so a notification can never leak or go stale, and it always fits in
// PostgreSQL's 8000-byte NOTIFY limit.

/** Topic of one run's progress (queued, started, each check, finished). */
export const runTopic = (runId: string): string => `run:${runId}`;

/** Topic of a lab's scoreboard: a check of a run for that lab finished, or the run finished (or was cancelled/errored). */
export const scoreboardTopic = (labId: string): string => `scoreboard:${labId}`;

/** Topic the worker listens on to fetch a newly queued job at once instead of at its next poll. */
export const QUEUE_TOPIC = 'queue:grade';

/** What happened to a run. */
export type RunEventKind =
  'queued' | 'started' | 'check-started' | 'check-finished' | 'requeued' | 'finished' | 'cancelled';

/** The payload published on runTopic/scoreboardTopic: ids plus what kind of change it was. */
export interface RunEvent {
  event: RunEventKind;
  runId: string;
  labId: string;
  enrollmentId: string;
  checkId?: string;
}

/** Topic of one enrollment's live lab state for a lab (the worker's live engine re-evaluated it). */
export const liveTopic = (enrollmentId: string, labId: string): string => `live:${enrollmentId}:${labId}`;

/** Topic of the live engine as a whole: it paused (a watch is down), or its heartbeat. */
export const LIVE_TOPIC = 'live:engine';

/** The payload published on liveTopic/LIVE_TOPIC (and, as 'live', on scoreboardTopic): ids only, as for runs. */
export interface LiveEventPayload {
  event: 'state' | 'paused' | 'heartbeat' | 'live';
  enrollmentId?: string;
  labId?: string;
}

/** Topic the api publishes on when an instructor switches a lab's live lab on or off: the worker re-reads its labs. */
export const LIVE_CONFIG_TOPIC = 'live:config';
