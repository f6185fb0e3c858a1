// Typed errors of the run lifecycle: each says what went wrong and what to do about it.

/** Base class: `code` is stable for API error mapping. */
export class RunsError extends Error {
  constructor(
    readonly code: 'NOT_FOUND' | 'QUEUE_NOT_READY' | 'COOLDOWN' | 'PAYLOAD_TOO_LARGE',
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The enrollment, lab or run named does not exist. */
export class NotFoundError extends RunsError {
  constructor(
    /** What is missing: 'enrollment', 'lab', 'run'. */
    readonly what: string,
    id: string,
    message = `${what} ${JSON.stringify(id)} does not exist`,
  ) {
    super('NOT_FOUND', message);
  }
}

/** pg-boss's tables or the 'grade' queue are missing: nothing has called startQueue on this database. */
export class QueueNotReadyError extends RunsError {
  constructor(detail: string) {
    super(
      'QUEUE_NOT_READY',
      `the grading queue is not set up in this database (${detail}); start the api or a worker (both call startQueue) and try again`,
    );
  }
}

/** The student's cooldown bucket is empty. */
export class CooldownError extends RunsError {
  constructor(readonly retryAfterSeconds: number) {
    super('COOLDOWN', `too many grading requests: try again in ${retryAfterSeconds} s`);
  }
}

/** A pub/sub message over PostgreSQL's NOTIFY payload limit (8000 bytes). */
export class PayloadTooLargeError extends RunsError {
  constructor(bytes: number) {
    super(
      'PAYLOAD_TOO_LARGE',
      `a pub/sub message of ${bytes} bytes exceeds NOTIFY's 8000-byte limit; publish ids and read rows instead`,
    );
  }
}
