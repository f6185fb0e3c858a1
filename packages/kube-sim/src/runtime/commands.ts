// The programs an exec can run inside a simulated container. Each behaves as the real one does in
// the image it belongs to (same stdout text, same exit codes), limited to the uses the labs and
// the grader have; anything else is refused the way the image would refuse it.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { ClusterView, ExecIO, ExecOutcome, KubeObject } from '../runtime-contract.ts';
import { CLUSTER_DNS_IP, etcHosts, parseHosts, resolveFromPod, resolvConf, type DnsConfig } from './dns.ts';
import { ociNotFoundMessage, resolveExecutable, type ImageKind } from './images.ts';
import { podHostname, podIP, type Container } from './pod-spec.ts';
import { answersWithoutProcess, redisCliRaw } from './resp.ts';
import { parseShell } from './shell.ts';
import { crlfIO, LineReader } from './tty.ts';

/** Where redis-cli in this container should connect, or the error redis-cli would print. */
export type RedisTarget = { port: number } | { error: string };

/** Everything a command needs to know about the container it runs in. */
export interface CommandEnv {
  pod: KubeObject;
  container: Container;
  kind: ImageKind;
  io: ExecIO;
  signal?: AbortSignal;
  tty: boolean;
  dns: DnsConfig;
  view?: ClusterView;
  redisCli: string;
  /** The host directory backing a container path (only mounted volumes map), or undefined. */
  hostPathOf(containerPath: string): string | undefined;
  /** The terminal's line reader when an interactive shell is already reading stdin. */
  reader?: LineReader;
  /** Map a redis-cli -h/-p pair (as typed inside the container) to a private port, starting that server if needed. */
  redisTarget(host: string, port: number): Promise<RedisTarget>;
}

type Run = (argv: string[], env: CommandEnv) => Promise<number>;

const out = (env: CommandEnv, s: string) => env.io.stdout(s);
const err = (env: CommandEnv, s: string) => env.io.stderr(s);

function shellEnv(env: CommandEnv): Record<string, string> {
  return {
    HOSTNAME: podHostname(env.pod),
    HOME: '/root',
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    ...(env.kind === 'redis' ? { REDIS_VERSION: '7.4.4' } : {}),
  };
}

/** Text of the files the kubelet and the image put at fixed paths. */
function staticFile(env: CommandEnv, p: string): string | undefined {
  const norm = path.posix.normalize(p);
  if (norm === '/etc/hosts') return etcHosts(env.pod, env.dns);
  if (norm === '/etc/hostname') return `${podHostname(env.pod)}\n`;
  if (norm === '/etc/resolv.conf') return resolvConf(env.pod, env.dns);
  return undefined;
}

function absolute(p: string): string {
  return path.posix.normalize(p.startsWith('/') ? p : `/data/${p}`);
}

const echo: Run = async (argv, env) => {
  let args = argv.slice(1);
  let newline = true;
  if (args[0] === '-n') {
    newline = false;
    args = args.slice(1);
  }
  out(env, args.join(' ') + (newline ? '\n' : ''));
  return 0;
};

const hostname: Run = async (argv, env) => {
  const flag = argv[1];
  if (flag === '-i' || flag === '-I') {
    out(env, `${podIP(env.pod) ?? '127.0.0.1'}${flag === '-i' ? '' : ' '}\n`);
    return 0;
  }
  if (flag === '-f' || flag === '--fqdn') {
    // hostname -f asks the resolver for the canonical name: the first /etc/hosts name on the pod's line.
    const h = podHostname(env.pod);
    const entry = parseHosts(etcHosts(env.pod, env.dns)).find((e) => e.names.includes(h));
    out(env, `${entry?.names[0] ?? h}\n`);
    return 0;
  }
  out(env, `${podHostname(env.pod)}\n`);
  return 0;
};

const cat: Run = async (argv, env) => {
  let code = 0;
  for (const p of argv.slice(1)) {
    const text = staticFile(env, absolute(p));
    if (text !== undefined) {
      out(env, text);
      continue;
    }
    const host = env.hostPathOf(absolute(p));
    try {
      if (!host) throw new Error('ENOENT');
      env.io.stdout(readFileSync(host));
    } catch (e) {
      const isDir = (e as NodeJS.ErrnoException).code === 'EISDIR';
      err(env, `cat: ${p}: ${isDir ? 'Is a directory' : 'No such file or directory'}\n`);
      code = 1;
    }
  }
  return code;
};

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function modeString(st: Stats): string {
  const type = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : '-';
  const bits = 'rwxrwxrwx';
  let s = '';
  for (let i = 0; i < 9; i++) s += st.mode & (1 << (8 - i)) ? bits[i] : '-';
  return type + s;
}

function lsTime(d: Date): string {
  const day = String(d.getDate()).padStart(2, ' ');
  const recent = Math.abs(Date.now() - d.getTime()) < 182 * 24 * 3600 * 1000;
  const tail = recent
    ? `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`
    : ` ${d.getFullYear()}`;
  return `${months[d.getMonth()]} ${day} ${tail}`;
}

const ls: Run = async (argv, env) => {
  const flags = new Set<string>();
  const paths: string[] = [];
  for (const a of argv.slice(1)) {
    if (a.startsWith('-') && a.length > 1) for (const f of a.slice(1)) flags.add(f);
    else paths.push(a);
  }
  if (paths.length === 0) paths.push('/data');
  // The redis image's entrypoint chowns /data to redis:redis before dropping privileges.
  const owner = env.kind === 'redis' ? 'redis redis' : 'root root';
  let code = 0;
  const long = (st: Stats, name: string) =>
    `${modeString(st)} ${st.nlink} ${owner} ${String(st.size).padStart(4, ' ')} ${lsTime(st.mtime)} ${name}\n`;
  for (const p of paths) {
    const host = env.hostPathOf(absolute(p));
    let st: Stats;
    try {
      if (!host) throw new Error('ENOENT');
      st = statSync(host);
    } catch {
      err(env, `ls: cannot access '${p}': No such file or directory\n`);
      code = 2;
      continue;
    }
    if (!st.isDirectory() || flags.has('d')) {
      out(env, flags.has('l') ? long(st, p) : `${p}\n`);
      continue;
    }
    let names = readdirSync(host).sort();
    if (!flags.has('a')) names = names.filter((n) => !n.startsWith('.'));
    else names = ['.', '..', ...names];
    if (!flags.has('l')) {
      for (const n of names) out(env, `${n}\n`);
      continue;
    }
    const stats = names.map((n) => [n, statSync(path.join(host, n))] as const);
    const blocks = stats.reduce((sum, [, s]) => sum + Math.ceil(s.blocks / 2), 0);
    out(env, `total ${blocks}\n`);
    for (const [n, s] of stats) out(env, long(s, n));
  }
  return code;
};

const envCmd: Run = async (_argv, env) => {
  for (const [k, v] of Object.entries(shellEnv(env))) out(env, `${k}=${v}\n`);
  return 0;
};

/** /etc/hosts lookup as glibc's files backend does it (all matching lines of one family). */
function filesLookup(
  env: CommandEnv,
  name: string,
  family: 4 | 6,
): { addresses: string[]; canonical: string; aliases: string[] } | undefined {
  const entries = parseHosts(etcHosts(env.pod, env.dns)).filter(
    (e) => (family === 6) === e.address.includes(':'),
  );
  const matches = entries.filter((e) => e.names.some((n) => n.toLowerCase() === name.toLowerCase()));
  const first = matches[0];
  if (!first) return undefined;
  return {
    addresses: matches.map((m) => m.address),
    canonical: first.names[0] ?? name,
    aliases: first.names.slice(1),
  };
}

/** Resolve a host name from inside the pod: /etc/hosts first, then cluster DNS (nsswitch "files dns"). */
export function resolveInPod(env: CommandEnv, name: string): string | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return name;
  const files = filesLookup(env, name, 4);
  if (files) return files.addresses[0];
  if (!env.view) return undefined;
  const r = resolveFromPod(env.view, env.dns, env.pod.metadata.namespace ?? 'default', name);
  return r.found ? r.addresses[0] : undefined;
}

const getent: Run = async (argv, env) => {
  const db = argv[1];
  if (db !== 'hosts' && db !== 'ahosts') {
    err(
      env,
      db
        ? `Unknown database: ${db}\nTry \`getent --help' or \`getent --usage' for more information.\n`
        : "getent: wrong number of arguments\nTry `getent --help' or `getent --usage' for more information.\n",
    );
    return 1;
  }
  let code = 0;
  let first = true;
  // `hosts` prints one line per address with the names; `ahosts` (getaddrinfo) three socket types
  // per address and the canonical name only once.
  const line = (ip: string, rest: string) => {
    if (db === 'hosts') out(env, `${ip.padEnd(15, ' ')} ${rest}\n`);
    else {
      out(
        env,
        `${ip.padEnd(15, ' ')} STREAM ${first ? rest.split(' ')[0] : ''}\n${ip.padEnd(15, ' ')} DGRAM  \n${ip.padEnd(15, ' ')} RAW    \n`,
      );
      first = false;
    }
  };
  for (const key of argv.slice(2)) {
    first = true;
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(key) || key.includes(':')) {
      const entry = parseHosts(etcHosts(env.pod, env.dns)).find((e) => e.address === key);
      if (entry) line(entry.address, entry.names.join(' '));
      else code = 2;
      continue;
    }
    // getent hosts asks for AF_INET6 first, then AF_INET.
    const files = filesLookup(env, key, 6) ?? filesLookup(env, key, 4);
    if (files) {
      for (const a of files.addresses) line(a, [files.canonical, ...files.aliases].join(' '));
      continue;
    }
    const r = env.view
      ? resolveFromPod(env.view, env.dns, env.pod.metadata.namespace ?? 'default', key)
      : undefined;
    if (r?.found) for (const a of r.addresses) line(a, r.fqdn);
    else code = 2;
  }
  return code;
};

const nslookup: Run = async (argv, env) => {
  const name = argv.slice(1).find((a) => !a.startsWith('-'));
  if (!name) {
    err(
      env,
      'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n',
    );
    return 1;
  }
  out(env, `Server:\t\t${CLUSTER_DNS_IP}\nAddress:\t${CLUSTER_DNS_IP}:53\n\n`);
  // nslookup asks the DNS server directly: /etc/hosts plays no part.
  const r = env.view
    ? resolveFromPod(env.view, env.dns, env.pod.metadata.namespace ?? 'default', name)
    : undefined;
  if (r?.found) {
    out(env, `Name:\t${r.fqdn}\n`);
    for (const a of r.addresses) out(env, `Address: ${a}\n`);
    out(env, '\n');
    return 0;
  }
  out(env, `** server can't find ${name}: NXDOMAIN\n\n`);
  return 1;
};

const dig: Run = async (argv, env) => {
  const short = argv.includes('+short');
  const name = argv.slice(1).find((a) => !a.startsWith('+') && !a.startsWith('-') && !a.startsWith('@'));
  if (!name) {
    err(env, 'dig: a name to look up is required in kube-sim\n');
    return 1;
  }
  const fqdn = name.endsWith('.') ? name : `${name}.`;
  // dig does not apply the search list unless asked (+search).
  const r = env.view
    ? resolveFromPod(
        env.view,
        env.dns,
        env.pod.metadata.namespace ?? 'default',
        argv.includes('+search') ? name : fqdn,
      )
    : undefined;
  if (short) {
    if (r?.found) for (const a of r.addresses) out(env, `${a}\n`);
    return 0;
  }
  out(env, `\n; <<>> DiG 9.18 <<>> ${argv.slice(1).join(' ')}\n;; global options: +cmd\n;; Got answer:\n`);
  out(
    env,
    `;; ->>HEADER<<- opcode: QUERY, status: ${r?.found ? 'NOERROR' : 'NXDOMAIN'}, id: 1\n\n;; QUESTION SECTION:\n;${r?.found ? `${r.fqdn}.` : fqdn}\t\tIN\tA\n\n`,
  );
  if (r?.found) {
    out(env, ';; ANSWER SECTION:\n');
    for (const a of r.addresses) out(env, `${r.fqdn}.\t30\tIN\tA\t${a}\n`);
    out(env, '\n');
  }
  out(env, `;; SERVER: ${CLUSTER_DNS_IP}#53(${CLUSTER_DNS_IP}) (UDP)\n\n`);
  return 0;
};

const valueOpts = new Set([
  '-h',
  '-p',
  '-s',
  '-a',
  '-u',
  '-r',
  '-i',
  '-n',
  '-d',
  '-D',
  '-e',
  '--user',
  '--pass',
  '--eval',
  '--rdb',
  '--functions-rdb',
  '--pipe-timeout',
  '--memkeys-samples',
  '--pattern',
  '--quoted-pattern',
  '--count',
  '--cacert',
  '--cacertdir',
  '--cert',
  '--key',
  '--tls-ciphers',
  '--tls-ciphersuites',
  '--sni',
  '--lru-test',
]);

/** Split redis-cli's argv into the server it addresses and the remaining options and command. */
export function parseRedisCliArgs(argv: string[]): {
  host: string;
  port: number;
  rest: string[];
  command: string[];
} {
  let host = '127.0.0.1';
  let port = 6379;
  const rest: string[] = [];
  const args = argv.slice(1);
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] as string;
    if (!a.startsWith('-')) break;
    if (a === '-h' || a === '-p' || a === '-u') {
      const v = args[++i] ?? '';
      if (a === '-h') host = v;
      else if (a === '-p') port = Number(v);
      else {
        const m = /^rediss?:\/\/(?:[^@]*@)?([^:/]+)(?::(\d+))?/.exec(v);
        if (m) {
          host = m[1] ?? host;
          port = Number(m[2] ?? 6379);
        }
      }
      continue;
    }
    rest.push(a);
    if (valueOpts.has(a)) rest.push(args[++i] ?? '');
  }
  const command = args.slice(i);
  rest.push(...command);
  return { host, port, rest, command };
}

/** redis-cli with no command on a terminal: its prompt, one real redis-cli run per line typed. */
async function redisCliRepl(argv: string[], env: CommandEnv, reader: LineReader): Promise<number> {
  const { host, port } = parseRedisCliArgs(argv);
  const io = crlfIO(env.io);
  for (;;) {
    env.io.stdout(`${host}:${port}> `);
    const line = await reader.readLine();
    if (line === null) return 0;
    if (line === '\u0003' || line.trim() === '') continue;
    const parsed = parseShell(line, {});
    const words = parsed.ok ? (parsed.list[0]?.argv ?? []) : undefined;
    if (!words) {
      io.stdout('Invalid argument(s)\n');
      continue;
    }
    if (/^(quit|exit)$/i.test(words[0] ?? '')) return 0;
    await redisCli([...argv, ...words], { ...env, io: { ...io, stdin: undefined }, reader: undefined });
  }
}

/** A line of redis-cli's stdin that sdssplitargs splits at single spaces, with nothing to unquote. */
const PLAIN_LINE = /^[A-Za-z0-9:._-]+(?: [A-Za-z0-9:._-]+)*$/;

const redisCli: Run = async (argv, env) => {
  const { host, port, rest, command } = parseRedisCliArgs(argv);
  if (env.tty && command.length === 0 && (env.reader || env.io.stdin)) {
    return redisCliRepl(
      argv,
      env,
      env.reader ?? new LineReader(env.io.stdin as NodeJS.ReadableStream, (c) => env.io.stdout(c)),
    );
  }
  const target = await env.redisTarget(host, port);
  if ('error' in target) {
    err(env, `${target.error}\n`);
    return 1;
  }
  // A plain one-shot command on a pipe is answered over one connection, as redis-cli would print it.
  if (!env.tty && !env.io.stdin && rest.length === command.length && answersWithoutProcess(command)) {
    const answered = await redisCliRaw(target.port, command, env.signal);
    if (answered) {
      if (answered.stdout) out(env, answered.stdout);
      return answered.exitCode;
    }
  }
  // Commands on a pipe (redis-cli reading its stdin, no terminal): plain lines are answered as they
  // come, as the real redis-cli prints them; from the first line that is not, the real one runs.
  let more: AsyncIterator<Buffer | string> | undefined;
  let input = Buffer.alloc(0);
  if (!env.tty && env.io.stdin && rest.length === 0) {
    more = env.io.stdin[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
    for (;;) {
      const nl = input.indexOf(0x0a);
      if (nl < 0) {
        const next = await more.next();
        if (next.done) break;
        input = Buffer.concat([input, Buffer.from(next.value)]);
        continue;
      }
      const line = input.subarray(0, nl).toString('utf8');
      const words = line.split(' ');
      if (!PLAIN_LINE.test(line) || /^\d+$/.test(words[0] ?? '') || !answersWithoutProcess(words)) break;
      const answered = await redisCliRaw(target.port, words, env.signal);
      if (!answered) break;
      if (answered.exitCode !== 0) return answered.exitCode;
      out(env, answered.stdout);
      input = input.subarray(nl + 1);
    }
    if (input.length === 0) return 0;
  }
  // Under a TTY redis-cli formats replies ("Hello" quoted, "(integer) 1"); --no-raw forces that
  // formatting because our pipes are not a terminal.
  const cliArgs = ['-h', '127.0.0.1', '-p', String(target.port), ...(env.tty ? ['--no-raw'] : []), ...rest];
  const shown = `${host}:${port}`;
  const rewrite = (chunk: Buffer) => chunk.toString('utf8').split(`127.0.0.1:${target.port}`).join(shown);
  return new Promise((resolve) => {
    const child = spawn(env.redisCli, cliArgs, { stdio: [env.io.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (c: Buffer) => env.io.stdout(rewrite(c)));
    child.stderr?.on('data', (c: Buffer) => env.io.stderr(rewrite(c)));
    if (more && child.stdin) {
      // What was read already, then the rest of the stream as it comes.
      const stdin = child.stdin;
      stdin.on('error', () => undefined);
      stdin.write(input);
      void (async () => {
        for (let next = await more.next(); !next.done; next = await more.next()) stdin.write(next.value);
        stdin.end();
      })().catch(() => stdin.end());
    } else if (env.io.stdin && child.stdin) {
      env.io.stdin.pipe(child.stdin);
      child.stdin.on('error', () => undefined);
    }
    const onAbort = () => child.kill('SIGKILL');
    env.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (e) => {
      err(env, `kube-sim: cannot run ${env.redisCli}: ${e.message}\n`);
      resolve(126);
    });
    child.once('close', (code, sig) => {
      env.signal?.removeEventListener('abort', onAbort);
      resolve(code ?? (sig ? 137 : 1));
    });
  });
};

const programs: Record<string, Run> = {
  echo,
  hostname,
  cat,
  ls,
  env: envCmd,
  true: async () => 0,
  false: async () => 1,
  getent,
  nslookup,
  dig,
  'redis-cli': redisCli,
};

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8');
}

/** The prompt the image's shell shows as root in its working directory. */
function promptFor(shell: 'sh' | 'bash', env: CommandEnv): string {
  if (env.kind === 'busybox' || env.kind === 'alpine') return '/ # ';
  const cwd = env.kind === 'redis' ? '/data' : '/';
  return shell === 'bash' ? `root@${podHostname(env.pod)}:${cwd}# ` : '# ';
}

async function interactiveShell(shell: 'sh' | 'bash', env: CommandEnv): Promise<number> {
  const reader = new LineReader(env.io.stdin as NodeJS.ReadableStream, (c) => env.io.stdout(c));
  const io = crlfIO(env.io);
  let status = 0;
  for (;;) {
    env.io.stdout(promptFor(shell, env));
    const line = await reader.readLine();
    if (line === null) {
      env.io.stdout('exit\r\n');
      return status;
    }
    if (line === '\u0003' || line.trim() === '') continue;
    const r = await runScript(shell, line, { ...env, io: { ...io, stdin: undefined }, reader }, status);
    status = r.status;
    if (r.exit) return status;
  }
}

async function runShell(shell: 'sh' | 'bash', argv: string[], env: CommandEnv): Promise<number> {
  if (argv[1] === '-c') return (await runScript(shell, argv[2] ?? '', env, 0)).status;
  if (argv.length === 1 && env.io.stdin && env.tty) return interactiveShell(shell, env);
  if (argv.length === 1 && env.io.stdin)
    return (await runScript(shell, await readAll(env.io.stdin), env, 0)).status;
  if (argv.length === 1) return 0; // an interactive shell on an empty stdin exits at once
  err(env, `${shell}: kube-sim runs scripts only through -c or stdin\n`);
  return 2;
}

/** Run a script's commands in order; `exit` ends the shell. */
async function runScript(
  shell: 'sh' | 'bash',
  script: string,
  env: CommandEnv,
  previous: number,
): Promise<{ status: number; exit?: boolean }> {
  const parsed = parseShell(script, { ...shellEnv(env), '?': String(previous) });
  if (!parsed.ok) {
    err(env, `${shell}: kube-sim's shell emulation does not support ${parsed.unsupported}\n`);
    return { status: 2 };
  }
  let status = previous;
  for (const item of parsed.list) {
    if (item.joiner === '&&' && status !== 0) continue;
    if (item.joiner === '||' && status === 0) continue;
    let cmd = item.argv;
    if (cmd[0] === 'exec') cmd = cmd.slice(1);
    if (cmd.length === 0) continue;
    if (cmd[0] === 'exit') return { status: Number(cmd[1] ?? status) & 255, exit: true };
    const prog = resolveExecutable(env.kind, cmd[0] as string);
    const run = prog
      ? prog === 'sh' || prog === 'bash'
        ? (a: string[], e: CommandEnv) => runShell(prog, a, e)
        : programs[prog]
      : undefined;
    if (!run) {
      const msg =
        shell === 'bash'
          ? `bash: ${env.reader ? '' : 'line 1: '}${cmd[0]}: command not found\n`
          : env.kind === 'busybox' || env.kind === 'alpine'
            ? `sh: ${cmd[0]}: not found\n`
            : `sh: 1: ${cmd[0]}: not found\n`;
      err(env, msg);
      status = 127;
      continue;
    }
    status = await run(cmd, { ...env, io: { ...env.io, stdin: undefined } });
  }
  return { status };
}

/** Run argv in the container as the container runtime would start it. */
export async function runCommand(argv: string[], env: CommandEnv): Promise<ExecOutcome> {
  const argv0 = argv[0];
  if (!argv0)
    return {
      exitCode: 126,
      startError:
        'OCI runtime exec failed: exec failed: unable to start container process: exec: no command: unknown',
    };
  const prog = resolveExecutable(env.kind, argv0);
  if (prog === 'sh' || prog === 'bash') return { exitCode: await runShell(prog, argv, env) };
  const run = prog ? programs[prog] : undefined;
  if (!run) return { exitCode: 126, startError: ociNotFoundMessage(argv0) };
  return { exitCode: await run(argv, env) };
}
