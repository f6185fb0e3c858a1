// The server side of `pods/exec` over WebSocket, as the kubelet's streaming server speaks it behind
// the API server: subprotocols v5/v4/pre-v4 `channel.k8s.io` (binary) and their base64 variants,
// one byte of channel prefix (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize, 255 close in v5), a
// metav1.Status on the error channel (JSON from v4 on), then the connection closes. Requests that
// cannot run are refused before the upgrade, with the body the real API server or kubelet sends.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { PassThrough } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Faults } from './faults.ts';
import { execWithTty } from './runtime/index.ts';
import type { ExecIO, ExecOutcome, KubeObject, PodRuntime } from './runtime-contract.ts';

/** What the core hands over for one exec upgrade request. */
export interface ExecUpgradeContext {
  pod: KubeObject;
  /** The container query parameter ('' when the client named none). */
  container: string;
  command: string[];
  runtime: PodRuntime;
  faults: Faults;
}

type Codec = { binary: boolean; jsonStatus: boolean; closeSignal: boolean };

/** The subprotocols served, in the kubelet's terms. */
const PROTOCOLS: Record<string, Codec> = {
  'v5.channel.k8s.io': { binary: true, jsonStatus: true, closeSignal: true },
  'v5.base64.channel.k8s.io': { binary: false, jsonStatus: true, closeSignal: true },
  'v4.channel.k8s.io': { binary: true, jsonStatus: true, closeSignal: false },
  'v4.base64.channel.k8s.io': { binary: false, jsonStatus: true, closeSignal: false },
  // Pre-v4: the error channel carries the failure message as text and nothing on success.
  'v3.channel.k8s.io': { binary: true, jsonStatus: false, closeSignal: false },
  'v2.channel.k8s.io': { binary: true, jsonStatus: false, closeSignal: false },
  'channel.k8s.io': { binary: true, jsonStatus: false, closeSignal: false },
  'base64.channel.k8s.io': { binary: false, jsonStatus: false, closeSignal: false },
};

/** The subprotocols this server accepts for exec, most capable first. */
export const EXEC_SUBPROTOCOLS = Object.keys(PROTOCOLS);

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;

const chosen = new WeakMap<IncomingMessage, string>();
const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  handleProtocols: (_offered, req) => chosen.get(req) ?? false,
});

/** A metav1.Status as the API server serialises it in an HTTP error body. */
function statusBody(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
): string {
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  });
}

const reasons: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
};

/** Refuse an upgrade request with a plain HTTP response (the client sees a failed handshake). */
function refuse(socket: Duplex, code: number, body: string, contentType = 'application/json'): void {
  if (socket.destroyed) return;
  const len = Buffer.byteLength(body);
  socket.end(
    `HTTP/1.1 ${code} ${reasons[code] ?? 'Error'}\r\nContent-Type: ${contentType}\r\nContent-Length: ${len}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1';
}

/**
 * The Status written on the error channel when `command` has finished. A command the runtime could
 * not start (startError) is what containerd 1.6 + runc answer on a real cluster (checked there by
 * packages/cluster's exec test): an InternalError Status naming the exec and the OCI error, no exit
 * code and nothing on stderr. Otherwise Success, or NonZeroExitCode with an ExitCode cause.
 */
export function exitStatus(outcome: ExecOutcome, command: string[] = []): Record<string, unknown> {
  if (outcome.startError) {
    // The kubelet's InternalError, wrapped once more by the apiserver: the prefix appears twice.
    const cause = `Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "${randomBytes(32).toString('hex')}": ${outcome.startError}`;
    return {
      metadata: {},
      status: 'Failure',
      message: `Internal error occurred: ${cause}`,
      reason: 'InternalError',
      details: { causes: [{ message: cause }] },
      code: 500,
    };
  }
  if (outcome.exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: command '${command.join(' ')}' exited with ${outcome.exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(outcome.exitCode) }] },
  };
}

/** Why this exec cannot start, as the API server or kubelet would answer the upgrade request. */
function precheck(
  ctx: ExecUpgradeContext,
  q: URLSearchParams,
): { code: number; body: string; contentType?: string } | { container: string } {
  const { pod } = ctx;
  const ns = pod.metadata.namespace ?? 'default';
  const name = pod.metadata.name;
  const containers = ((pod.spec as { containers?: { name: string }[] } | undefined)?.containers ?? []).map(
    (c) => c.name,
  );
  if (!flag(q, 'stdin') && !flag(q, 'stdout') && !flag(q, 'stderr')) {
    return {
      code: 400,
      body: statusBody(400, 'BadRequest', 'you must specify at least 1 of stdin, stdout, stderr'),
    };
  }
  let container = ctx.container;
  if (!container) {
    if (containers.length !== 1)
      return {
        code: 400,
        body: statusBody(
          400,
          'BadRequest',
          `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`,
        ),
      };
    container = containers[0] as string;
  } else if (!containers.includes(container)) {
    return {
      code: 400,
      body: statusBody(400, 'BadRequest', `container ${container} is not valid for pod ${name}`),
    };
  }
  const failure = ctx.faults.execFailure(ns, name);
  if (failure) {
    return {
      code: failure.status,
      body: statusBody(
        failure.status,
        'InternalError',
        `Internal error occurred: error dialing backend: kube-sim fault "execFails" is switched on for pod ${ns}/${name}`,
        { causes: [{ message: 'kube-sim fault: execFails' }] },
      ),
    };
  }
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase !== 'Running' || pod.metadata.deletionTimestamp) {
    // The kubelet has no running container to exec into: its plain-text answer, passed through.
    return {
      code: 400,
      body: `container not found ("${container}")`,
      contentType: 'text/plain; charset=utf-8',
    };
  }
  return { container };
}

/**
 * Handle an HTTP upgrade request for `pods/{name}/exec`: check it as the API server and kubelet
 * would, then run the command in the pod through the runtime and stream it over the WebSocket.
 */
export function handleExecUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  ctx: ExecUpgradeContext,
): void {
  const q = new URL(req.url ?? '/', 'http://kube-sim').searchParams;
  const check = precheck(ctx, q);
  if ('code' in check) {
    refuse(socket, check.code, check.body, check.contentType);
    return;
  }
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
    // kubectl falls back to SPDY only when the WebSocket handshake failed; kube-sim has no SPDY.
    refuse(
      socket,
      400,
      statusBody(
        400,
        'BadRequest',
        `kube-sim serves exec over WebSocket only (subprotocols ${EXEC_SUBPROTOCOLS.join(', ')}); upgrade "${req.headers.upgrade ?? ''}" is not supported`,
      ),
    );
    return;
  }
  const offered = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const served = (p: string) => p in PROTOCOLS && !(ctx.faults.current.execWithoutV5 && p.startsWith('v5.'));
  const protocol = offered.length === 0 ? 'channel.k8s.io' : offered.find(served);
  if (!protocol) {
    refuse(
      socket,
      400,
      `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${EXEC_SUBPROTOCOLS.join(' ')}]`,
      'text/plain; charset=utf-8',
    );
    return;
  }
  chosen.set(req, protocol);
  const codec = PROTOCOLS[protocol] as Codec;
  wss.handleUpgrade(req, socket, head, (ws) => serve(ws, codec, ctx, check.container, q));
}

function serve(
  ws: WebSocket,
  codec: Codec,
  ctx: ExecUpgradeContext,
  container: string,
  q: URLSearchParams,
): void {
  const wantStdin = flag(q, 'stdin');
  const wantStdout = flag(q, 'stdout');
  const wantStderr = flag(q, 'stderr');
  const tty = flag(q, 'tty');
  const send = (channel: number, data: Buffer | string) => {
    if (ws.readyState !== ws.OPEN) return;
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (codec.binary) ws.send(Buffer.concat([Buffer.from([channel]), buf]));
    else ws.send(String.fromCharCode(48 + channel) + buf.toString('base64'));
  };
  const abort = new AbortController();
  const stdin = wantStdin ? new PassThrough() : undefined;
  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    let channel: number;
    let data: Buffer;
    if (codec.binary || isBinary) {
      channel = raw[0] ?? -1;
      data = raw.subarray(1);
    } else {
      const text = raw.toString('utf8');
      channel = text.charCodeAt(0) - 48;
      data = Buffer.from(text.slice(1), 'base64');
    }
    if (channel === STDIN && stdin && !stdin.writableEnded) stdin.write(data);
    else if (channel === CLOSE && codec.closeSignal && data[0] === STDIN) stdin?.end();
    else if (channel === RESIZE) return; // no terminal to resize
  });
  ws.on('close', () => {
    stdin?.end();
    abort.abort();
  });
  ws.on('error', () => abort.abort());

  // The kubelet announces the open connection with an empty frame on the lowest writable channel.
  send(wantStdout ? STDOUT : wantStderr ? STDERR : ERROR, Buffer.alloc(0));
  const io: ExecIO = {
    stdout: (c) => {
      if (wantStdout) send(STDOUT, c);
    },
    // Under a TTY there is one terminal: stderr shows up on stdout.
    stderr: (c) => {
      if (tty && wantStdout) send(STDOUT, c);
      else if (wantStderr) send(STDERR, c);
    },
    stdin,
  };
  execWithTty(ctx.runtime, ctx.pod, container, ctx.command, io, abort.signal, tty)
    .catch((e: unknown): ExecOutcome => ({
      exitCode: 1,
      startError: e instanceof Error ? e.message : String(e),
    }))
    .then((outcome) => {
      const status = exitStatus(outcome, ctx.command);
      if (codec.jsonStatus) send(ERROR, JSON.stringify(status));
      else if (status.status !== 'Success') send(ERROR, String(status.message));
      ws.close(1000);
    });
}
