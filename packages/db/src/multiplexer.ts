// A PostgreSQL wire-protocol proxy in front of the pglite-socket server that makes several client
// connections safe on PGlite's single backend session.
//
// pglite-socket already queues queries and pins an open transaction to its connection, but it
// queues each protocol *message* as it arrives: when a client's Parse/Bind/Execute/Sync batch
// reaches it in more than one TCP chunk (large parameters, or any proxy), another connection's
// Parse can run in between and the first client binds the wrong statement. And because there is
// one backend session, a notification comes back in the reply to whichever connection's query
// delivered it (usually the notifier's own COMMIT), never to the connection that ran LISTEN.
//
// This proxy fixes both:
// - Floor control: one connection at a time talks to the backend, from its first message until a
//   ReadyForQuery that says "idle" (so a whole transaction, too). Others wait their turn, FIFO.
// - Notification routing: it watches each client's LISTEN/UNLISTEN statements, takes
//   NotificationResponse messages out of every reply and writes them to the connections listening
//   on that channel, at a message boundary, as PostgreSQL itself would. UNLISTEN is not passed on
//   (the backend session keeps listening; routing decides who hears what).
//
// Password: with `password` set, the proxy answers the startup message itself with an MD5
// password challenge (PostgreSQL's AuthenticationMD5Password) and forwards the startup only after a
// correct answer; pglite-socket behind it trusts whoever reaches it, and listens on loopback only.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

interface Frame {
  /** The type byte as a character, '' for the untyped startup-phase messages. */
  type: string;
  message: Buffer;
}

/** Splits a byte stream into PostgreSQL protocol messages. */
class MessageFramer {
  private buffer: Buffer = Buffer.alloc(0);
  constructor(private untyped: boolean) {}

  push(chunk: Buffer): Frame[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const out: Frame[] = [];
    for (;;) {
      if (this.untyped) {
        if (this.buffer.length < 8) break;
        const len = this.buffer.readInt32BE(0);
        if (this.buffer.length < len) break;
        const message = this.buffer.subarray(0, len);
        this.buffer = this.buffer.subarray(len);
        const code = message.readInt32BE(4);
        // An SSL/GSS request is followed by the real startup message, also untyped.
        this.untyped = code === SSL_REQUEST || code === GSSENC_REQUEST;
        out.push({ type: '', message });
        continue;
      }
      if (this.buffer.length < 5) break;
      const len = this.buffer.readInt32BE(1) + 1;
      if (this.buffer.length < len) break;
      out.push({ type: String.fromCharCode(this.buffer[0]!), message: this.buffer.subarray(0, len) });
      this.buffer = this.buffer.subarray(len);
    }
    return out;
  }

  /** Takes one raw byte off the front (the server's answer to an SSL/GSS request). */
  takeByte(chunk: Buffer): Buffer {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const raw = this.buffer.subarray(0, 1);
    this.buffer = this.buffer.subarray(1);
    return raw;
  }
}

const STATEMENT = /(?:^|;)\s*(UNLISTEN|LISTEN)\s+("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*|\*)/gi;

/** The LISTEN/UNLISTEN statements in a query string, with channel names folded as PostgreSQL does. */
export function listenStatements(sql: string): { listen: boolean; channel: string }[] {
  const out: { listen: boolean; channel: string }[] = [];
  for (const m of sql.matchAll(STATEMENT)) {
    const raw = m[2]!;
    const channel = raw.startsWith('"')
      ? raw.slice(1, -1).replace(/""/g, '"')
      : raw === '*'
        ? '*'
        : raw.toLowerCase();
    out.push({ listen: m[1]!.toUpperCase() === 'LISTEN', channel });
  }
  return out;
}

function queryText({ type, message }: Frame): string | null {
  if (type === 'Q') return message.toString('utf8', 5, message.length - 1);
  if (type === 'P') {
    const nameEnd = message.indexOf(0, 5);
    const queryEnd = nameEnd < 0 ? -1 : message.indexOf(0, nameEnd + 1);
    return queryEnd < 0 ? null : message.toString('utf8', nameEnd + 1, queryEnd);
  }
  return null;
}

/** `sql` with each UNLISTEN turned into a harmless LISTEN (the reply's command tag says LISTEN). */
export function neutralizeUnlisten(sql: string): string {
  return sql.replace(STATEMENT, (whole: string, verb: string) =>
    verb.toUpperCase() === 'UNLISTEN' ? whole.replace(verb, 'LISTEN').replace(/\*$/, '"*"') : whole,
  );
}

/** The Query or Parse message `frame` with its SQL replaced. */
function withQuery({ type, message }: Frame, sql: string): Buffer {
  const text = Buffer.from(`${sql}\0`);
  if (type === 'Q') {
    const out = Buffer.alloc(5 + text.length);
    out.write('Q', 0);
    out.writeInt32BE(4 + text.length, 1);
    text.copy(out, 5);
    return out;
  }
  const nameEnd = message.indexOf(0, 5);
  const queryEnd = message.indexOf(0, nameEnd + 1);
  const body = Buffer.concat([message.subarray(5, nameEnd + 1), text, message.subarray(queryEnd + 1)]);
  const head = Buffer.alloc(5);
  head.write('P', 0);
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}

/** Channel of a NotificationResponse: 'A', int32 length, int32 pid, channel\0, payload\0. */
function notificationChannel(message: Buffer): string {
  return message.toString('utf8', 9, message.indexOf(0, 9));
}

/** The `user` parameter of a startup message (int32 length, int32 protocol, then key\0value\0 pairs). */
function startupUser(message: Buffer): string {
  const parts = message.toString('utf8', 8, message.length).split('\0');
  for (let i = 0; i + 1 < parts.length; i += 2) if (parts[i] === 'user') return parts[i + 1] ?? '';
  return '';
}

const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');

/** The answer PostgreSQL expects to an MD5 challenge: "md5" + md5(md5(password + user) + salt). */
export function md5PasswordAnswer(user: string, password: string, salt: Buffer): string {
  return `md5${md5(Buffer.concat([Buffer.from(md5(password + user)), salt]))}`;
}

function authenticationMd5(salt: Buffer): Buffer {
  const out = Buffer.alloc(13);
  out.write('R', 0);
  out.writeInt32BE(12, 1);
  out.writeInt32BE(5, 5);
  salt.copy(out, 9);
  return out;
}

function fatal(code: string, text: string): Buffer {
  const body = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${text}\0\0`);
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}

interface Conn {
  socket: Socket;
  upstream: Socket;
  channels: Set<string>;
  /** Messages waiting for this connection's turn. */
  pending: Buffer[];
  /** Sync points (startup, Query, Sync) sent and not yet answered by ReadyForQuery. */
  outstanding: number;
  /** The transaction status of the last ReadyForQuery: 'I' idle, 'T' in a transaction, 'E' failed one. */
  txStatus: string;
  closed: boolean;
}

/** A running multiplexer. */
export interface Multiplexer {
  port: number;
  close(): Promise<void>;
}

/** Listens on host:port and forwards every connection to the pglite-socket server at upstreamPort. */
export async function startMultiplexer(options: {
  host: string;
  port: number;
  upstreamPort: number;
  password?: string | null;
}): Promise<Multiplexer> {
  const conns = new Set<Conn>();
  const waiting: Conn[] = [];
  let floor: Conn | null = null;

  const deliver = (channel: string, message: Buffer) => {
    for (const c of conns) if (c.channels.has(channel) && !c.closed) c.socket.write(message);
  };

  const send = (c: Conn, messages: Buffer[]) => {
    if (messages.length) c.upstream.write(messages.length === 1 ? messages[0]! : Buffer.concat(messages));
  };

  const pump = () => {
    while (!floor) {
      const next = waiting.shift();
      if (!next) return;
      if (next.closed || !next.pending.length) continue;
      floor = next;
      const batch = next.pending.splice(0);
      send(next, batch);
    }
  };

  const release = (c: Conn) => {
    if (floor === c) {
      floor = null;
      pump();
    }
  };

  const server: Server = createServer((socket) => {
    const upstream = connect({ host: '127.0.0.1', port: options.upstreamPort });
    const c: Conn = {
      socket,
      upstream,
      channels: new Set(),
      pending: [],
      outstanding: 0,
      txStatus: 'I',
      closed: false,
    };
    conns.add(c);
    const fromClient = new MessageFramer(true);
    const fromServer = new MessageFramer(false);
    let byteAnswersPending = 0;
    // With a password: the startup message waits here until the client answers the challenge.
    let auth: 'startup' | 'password' | 'done' = options.password ? 'startup' : 'done';
    let heldStartup: Buffer | null = null;
    let user = '';
    const salt = randomBytes(4);

    socket.on('data', (chunk: Buffer) => {
      const forFloor: Buffer[] = [];
      for (let frame of fromClient.push(chunk)) {
        if (auth !== 'done' && !(frame.type === '' && frame.message.length === 8)) {
          if (
            auth === 'startup' &&
            frame.type === '' &&
            !(frame.message.length === 16 && frame.message.readInt32BE(4) === CANCEL_REQUEST)
          ) {
            heldStartup = frame.message;
            user = startupUser(frame.message);
            auth = 'password';
            socket.write(authenticationMd5(salt));
            continue;
          }
          const given =
            frame.type === 'p' ? frame.message.subarray(5, frame.message.indexOf(0, 5)) : Buffer.alloc(0);
          const expected = Buffer.from(md5PasswordAnswer(user, options.password ?? '', salt));
          if (auth !== 'password' || given.length !== expected.length || !timingSafeEqual(given, expected)) {
            socket.end(fatal('28P01', `password authentication failed for user "${user}"`));
            return;
          }
          auth = 'done';
          frame = { type: '', message: heldStartup! };
        }
        const { type, message } = frame;
        if (type === '' && message.length === 8) {
          const code = message.readInt32BE(4);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            // pglite-socket answers these itself with one byte, without touching the database.
            byteAnswersPending++;
            upstream.write(message);
            continue;
          }
        }
        if (type === '' && message.length === 16 && message.readInt32BE(4) === CANCEL_REQUEST) {
          socket.end(); // cancelling is not supported by the embedded server
          return;
        }
        if (type === '' || type === 'Q' || type === 'S') c.outstanding++;
        const sql = queryText(frame);
        const out = sql ? trackListen(c, frame, sql) : message;
        if (floor === c) forFloor.push(out);
        else c.pending.push(out);
      }
      send(c, forFloor);
      if (c.pending.length && floor !== c && !waiting.includes(c)) waiting.push(c);
      pump();
    });

    upstream.on('data', (chunk: Buffer) => {
      let data = chunk;
      while (byteAnswersPending > 0 && data.length > 0) {
        socket.write(fromServer.takeByte(data));
        data = Buffer.alloc(0);
        byteAnswersPending--;
      }
      const keep: Buffer[] = [];
      let idle = false;
      for (const { type, message } of fromServer.push(data)) {
        if (type === 'A') {
          deliver(notificationChannel(message), message);
          continue;
        }
        if (type === 'Z') {
          c.outstanding = Math.max(0, c.outstanding - 1);
          c.txStatus = String.fromCharCode(message[5]!);
          idle = c.outstanding === 0 && c.txStatus === 'I';
        }
        keep.push(message);
      }
      if (keep.length && !c.closed) socket.write(keep.length === 1 ? keep[0]! : Buffer.concat(keep));
      if (idle) release(c);
    });

    const close = () => {
      if (c.closed) return;
      c.closed = true;
      conns.delete(c);
      socket.destroy();
      upstream.destroy();
      // pglite-socket rolls back a transaction its client left open when the socket closes.
      release(c);
    };
    for (const s of [socket, upstream]) {
      s.on('close', close);
      s.on('error', close);
    }
  });

  // Returns the message to forward: UNLISTEN never reaches the shared backend session (it would
  // stop every connection's notifications on that channel); this connection's routing entry goes.
  const trackListen = (c: Conn, frame: Frame, sql: string): Buffer => {
    const statements = listenStatements(sql);
    for (const s of statements) {
      if (s.listen) c.channels.add(s.channel);
      else if (s.channel === '*') c.channels.clear();
      else c.channels.delete(s.channel);
    }
    return statements.some((s) => !s.listen) ? withQuery(frame, neutralizeUnlisten(sql)) : frame.message;
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    async close() {
      for (const conn of conns) {
        conn.socket.destroy();
        conn.upstream.destroy();
      }
      conns.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
