// The subscription WebSockets this process holds, by user and session: caps on sockets per user
// and subscriptions per socket and per user (150,000 subscriptions on 10 sockets once took the api
// to 3.2 GB), and closing a session's sockets when it signs out, is replaced, or expires.
import type { WebSocket } from 'ws';
import { ApiError } from './errors.ts';

/** The caps, stated in the api README. */
export const SOCKET_LIMITS = {
  /** Open subscription sockets per signed-in user (anonymous: per client IP). */
  socketsPerUser: 10,
  /** Active subscriptions on one socket. */
  subscriptionsPerSocket: 20,
  /** Active subscriptions of one user across their sockets. */
  subscriptionsPerUser: 50,
} as const;

/** WebSocket close codes the server uses (4000-4999 are the application's). */
export const CLOSE = { signedOut: 4401, sessionExpired: 4403, tooManySockets: 4429 } as const;

/** One open socket. */
export interface LiveConnection {
  socket: WebSocket;
  /** `user:<id>` or `ip:<address>`. */
  owner: string;
  sessionId: string | null;
  subscriptions: Set<symbol>;
}

export class TooManySocketsError extends Error {
  override name = 'TooManySocketsError';
}

/** The registry (one per api process, decorated as app.liveSockets). */
export class LiveSockets {
  private readonly byOwner = new Map<string, Set<LiveConnection>>();
  private readonly all = new Set<LiveConnection>();

  constructor(
    readonly limits: {
      socketsPerUser: number;
      subscriptionsPerSocket: number;
      subscriptionsPerUser: number;
    } = SOCKET_LIMITS,
  ) {}

  /** How many sockets `owner` has open. */
  socketsOf(owner: string): number {
    return this.byOwner.get(owner)?.size ?? 0;
  }

  /**
   * Registers a socket, or closes it (4429) and throws when its owner is at the cap. The entry goes
   * when the socket closes.
   */
  add(socket: WebSocket, owner: string, sessionId: string | null): LiveConnection {
    if (this.socketsOf(owner) >= this.limits.socketsPerUser) {
      socket.close(CLOSE.tooManySockets, 'too many connections');
      throw new TooManySocketsError(
        `${owner} already has ${this.limits.socketsPerUser} subscription sockets open (the limit)`,
      );
    }
    const conn: LiveConnection = { socket, owner, sessionId, subscriptions: new Set() };
    let set = this.byOwner.get(owner);
    if (!set) this.byOwner.set(owner, (set = new Set()));
    set.add(conn);
    this.all.add(conn);
    socket.once('close', () => this.remove(conn));
    return conn;
  }

  private remove(conn: LiveConnection): void {
    conn.subscriptions.clear();
    this.all.delete(conn);
    const set = this.byOwner.get(conn.owner);
    set?.delete(conn);
    if (set && !set.size) this.byOwner.delete(conn.owner);
  }

  /** Takes a subscription slot (TOO_MANY_SUBSCRIPTIONS when a cap is reached); call the answer to give it back. */
  reserve(conn: LiveConnection): () => void {
    if (conn.subscriptions.size >= this.limits.subscriptionsPerSocket) {
      throw new ApiError(
        'TOO_MANY_SUBSCRIPTIONS',
        `at most ${this.limits.subscriptionsPerSocket} subscriptions per connection; stop one first`,
      );
    }
    let total = 0;
    for (const c of this.byOwner.get(conn.owner) ?? []) total += c.subscriptions.size;
    if (total >= this.limits.subscriptionsPerUser) {
      throw new ApiError(
        'TOO_MANY_SUBSCRIPTIONS',
        `at most ${this.limits.subscriptionsPerUser} subscriptions per user across connections; close some first`,
      );
    }
    const slot = Symbol('subscription');
    conn.subscriptions.add(slot);
    return () => conn.subscriptions.delete(slot);
  }

  /** Closes every socket of the session (sign-out, a new sign-in in the same browser). */
  closeSession(sessionId: string, code: number = CLOSE.signedOut, reason = 'signed out'): number {
    let n = 0;
    for (const c of [...this.all]) {
      if (c.sessionId === sessionId) {
        c.socket.close(code, reason);
        n += 1;
      }
    }
    return n;
  }

  /** The session ids with open sockets. */
  sessionIds(): string[] {
    return [...new Set([...this.all].flatMap((c) => (c.sessionId ? [c.sessionId] : [])))];
  }
}

/** Wraps a subscription's event stream so its slot is given back however it ends. */
export function releasing<T>(
  events: AsyncIterator<T> | AsyncIterable<T>,
  release: () => void,
): AsyncIterableIterator<T> {
  const source: AsyncIterator<T> =
    Symbol.asyncIterator in events
      ? (events as AsyncIterable<T>)[Symbol.asyncIterator]()
      : (events as AsyncIterator<T>);
  let done = false;
  const finish = () => {
    if (!done) {
      done = true;
      release();
    }
  };
  return {
    async next() {
      try {
        const r = await source.next();
        if (r.done) finish();
        return r;
      } catch (err) {
        finish();
        throw err;
      }
    },
    async return(value?: unknown) {
      finish();
      return (await source.return?.(value)) ?? { done: true, value: undefined as T };
    },
    async throw(err?: unknown) {
      finish();
      if (source.throw) return source.throw(err);
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
