// One-shot `redis-cli CMD ARGS...` without a process: one connection to the pod's server, the
// command sent as RESP, the reply printed as redis-cli 7.0 prints it when stdout is not a terminal
// (its "raw" output). Spawning redis-cli from kube-sim for every exec was most of kube-sim's CPU at a
// class regrade; test/resp.test.ts checks this output byte for byte against the real redis-cli.
import { connect } from 'node:net';
import RedisParser from 'redis-parser';

/** A RESP2 reply as redis-parser returns it with buffers and string numbers. */
type Reply = Buffer | string | null | Error | Reply[];

type Sent = { reply: Reply } | 'no-reply' | 'aborted';

/** Sends one command and reads its reply. */
function sendCommand(port: number, args: string[], signal?: AbortSignal): Promise<Sent> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let done = false;
    const finish = (r: Sent) => {
      if (done) return;
      done = true;
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(r);
    };
    const onAbort = () => finish('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
    const parser = new RedisParser({
      returnReply: (reply: Reply) => finish({ reply }),
      returnError: (reply: Error) => finish({ reply }),
      returnFatalError: () => finish('no-reply'),
      returnBuffers: true,
      stringNumbers: true,
    });
    socket.on('data', (chunk: Buffer) => parser.execute(chunk));
    socket.on('error', () => finish('no-reply'));
    socket.on('close', () => finish('no-reply'));
    let request = `*${args.length}\r\n`;
    for (const a of args) request += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
    socket.write(request);
  });
}

/** redis-cli's cliFormatReplyRaw: nil prints nothing, an error its text and a newline, arrays one element per line. */
function formatRaw(r: Reply): string {
  if (r === null) return '';
  if (r instanceof Error) return `${r.message}\n`;
  if (Array.isArray(r)) return r.map(formatRaw).join('\n');
  return r.toString();
}

/**
 * Commands redis-cli handles itself (help, quit, connect), that change its protocol or keep reading
 * (hello, monitor, subscribe, sync), or whose connection may end without a reply (shutdown, debug,
 * client kill / reply off): those always run the real redis-cli.
 */
const OWN_HANDLING = new Set(
  'help ? quit exit connect restart clear hello monitor subscribe psubscribe ssubscribe sync psync shutdown debug client reset'.split(
    ' ',
  ),
);

/** Whether `redis-cli ARGS...` (no options, no terminal, no stdin) can be answered without the process. */
export function answersWithoutProcess(args: string[]): boolean {
  return args.length > 0 && !OWN_HANDLING.has((args[0] ?? '').toLowerCase());
}

/**
 * What `redis-cli -p PORT ARGS...` prints on a pipe, with its exit status (0 for any reply, errors
 * included, as redis-cli 7.0 does; 137 when aborted, as for the killed process). Undefined when no
 * reply came (not reachable, or the connection closed): the caller then runs the real redis-cli,
 * which prints the exact connection error, or resends the command as redis-cli itself does once
 * after a lost connection.
 */
export async function redisCliRaw(
  port: number,
  args: string[],
  signal?: AbortSignal,
): Promise<{ stdout: string; exitCode: number } | undefined> {
  const sent = await sendCommand(port, args, signal);
  if (sent === 'aborted') return { stdout: '', exitCode: 137 };
  if (sent === 'no-reply') return undefined;
  return { stdout: `${formatRaw(sent.reply)}\n`, exitCode: 0 };
}
