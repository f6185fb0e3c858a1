// Container processes (redis-server) are started by a small launcher process, as containerd's
// shims start them for a kubelet, not forked from kube-sim itself: forking copies the parent's page
// tables (2 ms from a small process here, 5-10 ms from a kube-sim holding a class's objects), and
// a fork from kube-sim stops its API server's event loop meanwhile. The launcher is started once, on
// the first launch, through `setpriv --pdeathsig SIGTERM` (util-linux, always present on Debian),
// and starts every child the same way, so the kernel signals them when their parent dies, even by
// SIGKILL: no orphaned servers after a crash. Without setpriv the launcher still stops its children
// when this process goes (the IPC channel closes).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

/** Whether children are tied to this process's life by the kernel (parent-death signal). */
export const orphanGuard: 'pdeathsig' | 'none' = SETPRIV ? 'pdeathsig' : 'none';

/** A process started by the launcher. */
export interface Launched {
  /** The child's pid once it has started (-1 before, or when it never did). */
  readonly pid: number;
  kill(signal: NodeJS.Signals): void;
  /** Its stdout and stderr, as they come. */
  onOutput(listener: (chunk: string) => void): void;
  /** Resolves with the exit code (null when killed by a signal) once it is gone and its output read. */
  readonly exited: Promise<number | null>;
}

type Event =
  | { ev: 'spawned'; id: number; pid: number }
  | { ev: 'out'; id: number; data: string }
  | { ev: 'error'; id: number; message: string }
  | { ev: 'exit'; id: number; code: number | null };

interface Entry {
  pid: number;
  output: ((chunk: string) => void)[];
  exit: (code: number | null) => void;
}

/** How long the launcher's children get between SIGTERM and SIGKILL once kube-sim is gone (the kubelet's minimum). */
export const STOP_GRACE_MS = 2000;

/** The name the launcher runs under (its last argument), to find it in `ps`. */
export const LAUNCHER_NAME = 'kube-sim-launcher';

/**
 * The launcher's program, run by `node -e` so that it needs no file of its own beside a bundle (and
 * plain JavaScript, as a function's source would carry its transpiler's helpers). Over the IPC
 * channel:
 *   in:  { op: 'start', id, file, args }   { op: 'kill', id, signal }
 *   out: { ev: 'spawned', id, pid }   { ev: 'out', id, data }   { ev: 'error', id, message }
 *        { ev: 'exit', id, code }   (last, once its output is sent; code null: killed by a signal)
 * When its parent goes (the channel closes, or the parent-death SIGTERM), its children are stopped
 * (SIGTERM, SIGKILL after STOP_GRACE_MS) and it exits; if it is itself killed, they get their own
 * parent-death SIGTERM.
 */
const LAUNCHER_SOURCE = `
const { spawn } = require('node:child_process');
const children = new Map();
const send = (m) => { if (process.connected) process.send(m); };
process.on('message', (m) => {
  if (m.op === 'kill') return void children.get(m.id)?.kill(m.signal);
  const child = spawn(m.file, m.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.set(m.id, child);
  if (child.pid !== undefined) send({ ev: 'spawned', id: m.id, pid: child.pid });
  const out = (chunk) => send({ ev: 'out', id: m.id, data: chunk.toString('utf8') });
  child.stdout.on('data', out);
  child.stderr.on('data', out);
  let ended = false;
  const end = (code) => {
    if (ended) return;
    ended = true;
    children.delete(m.id);
    send({ ev: 'exit', id: m.id, code });
    if (stopping && children.size === 0) process.exit(0);
  };
  child.once('error', (err) => { send({ ev: 'error', id: m.id, message: String(err) }); end(127); });
  child.once('close', (code) => end(code));
});
// Its parent gone (the channel closed, or the parent-death SIGTERM): SIGTERM every child, SIGKILL
// what is left after the grace period (a Redis whose final save fails, its directory deleted,
// refuses to exit), and exit once the last one is gone.
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  if (children.size === 0) process.exit(0);
  for (const child of children.values()) child.kill('SIGTERM');
  setTimeout(() => { for (const child of children.values()) child.kill('SIGKILL'); }, ${STOP_GRACE_MS});
};
process.on('disconnect', stop);
process.on('SIGTERM', stop);
`;

/** `file args` run through setpriv, so the process gets SIGTERM when its parent dies. */
function guarded(file: string, args: string[]): [string, string[]] {
  return SETPRIV ? [SETPRIV, ['--pdeathsig', 'SIGTERM', file, ...args]] : [file, args];
}

let launcher: { child: ChildProcess; entries: Map<number, Entry> } | undefined;
let nextId = 1;

function current(): NonNullable<typeof launcher> {
  if (launcher?.child.connected) return launcher;
  const [file, args] = guarded(process.execPath, ['-e', LAUNCHER_SOURCE, LAUNCHER_NAME]);
  // Plain node: no loader or options meant for this process.
  const env = { ...process.env, NODE_OPTIONS: '' };
  const child = spawn(file, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env });
  const entries = new Map<number, Entry>();
  const l = { child, entries };
  child.on('message', (e: Event) => {
    const entry = entries.get(e.id);
    if (!entry) return;
    if (e.ev === 'spawned') entry.pid = e.pid;
    else if (e.ev === 'out') for (const f of entry.output) f(e.data);
    else if (e.ev === 'error') for (const f of entry.output) f(`${e.message}\n`);
    else {
      entries.delete(e.id);
      holdWhileBusy(l);
      entry.exit(e.code);
    }
  });
  const gone = () => {
    if (launcher === l) launcher = undefined;
    for (const entry of entries.values()) entry.exit(null);
    entries.clear();
  };
  child.once('exit', gone);
  child.once('error', gone);
  launcher = l;
  return l;
}

/** Only a launcher with live children keeps this process running. */
function holdWhileBusy(l: NonNullable<typeof launcher>): void {
  if (l.entries.size > 0) {
    l.child.ref();
    l.child.channel?.ref();
  } else {
    l.child.unref();
    l.child.channel?.unref();
  }
}

/** Start `file args` from the launcher, with stdin closed and its output piped here. */
export function launch(file: string, args: string[]): Launched {
  const l = current();
  const id = nextId++;
  let exit!: (code: number | null) => void;
  const exited = new Promise<number | null>((resolve) => (exit = resolve));
  const entry: Entry = { pid: -1, output: [], exit };
  l.entries.set(id, entry);
  holdWhileBusy(l);
  const [guardedFile, guardedArgs] = guarded(file, args);
  l.child.send({ op: 'start', id, file: guardedFile, args: guardedArgs });
  return {
    get pid() {
      return entry.pid;
    },
    kill(signal) {
      if (l.entries.has(id) && l.child.connected) l.child.send({ op: 'kill', id, signal });
    },
    onOutput(listener) {
      entry.output.push(listener);
    },
    exited,
  };
}
