// The terminal line discipline of an interactive exec (`kubectl exec -it ... -- bash`): kubectl
// puts the local terminal in raw mode, so echo, backspace, Ctrl-C/Ctrl-D and CR->CRLF are the
// remote pty's job. Enough of it for a person to type the chapter's commands.
import type { ExecIO } from '../runtime-contract.ts';

/** Reads edited lines from a raw terminal stream, echoing as a pty would. */
export class LineReader {
  private pending: Buffer[] = [];
  private waiter: (() => void) | undefined;
  private ended = false;

  constructor(
    stdin: NodeJS.ReadableStream,
    private readonly echo: (s: Buffer | string) => void,
  ) {
    stdin.on('data', (c: Buffer | string) => {
      this.pending.push(typeof c === 'string' ? Buffer.from(c) : c);
      this.wake();
    });
    stdin.on('end', () => {
      this.ended = true;
      this.wake();
    });
  }

  private wake() {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  private async nextByte(): Promise<number | undefined> {
    for (;;) {
      const head = this.pending[0];
      if (head && head.length > 0) {
        const b = head[0] as number;
        this.pending[0] = head.subarray(1);
        return b;
      }
      if (head) {
        this.pending.shift();
        continue;
      }
      if (this.ended) return undefined;
      await new Promise<void>((r) => (this.waiter = r));
    }
  }

  /** The next line typed, '\u0003' for Ctrl-C, or null at end of input (Ctrl-D on an empty line). */
  async readLine(): Promise<string | null> {
    // Bytes, so multi-byte UTF-8 (a student's Chinese comment) survives and erases as one character.
    const line: number[] = [];
    const text = () => Buffer.from(line).toString('utf8');
    for (;;) {
      const b = await this.nextByte();
      if (b === undefined) return line.length > 0 ? text() : null;
      if (b === 0x0d || b === 0x0a) {
        this.echo('\r\n');
        return text();
      }
      if (b === 0x03) {
        this.echo('^C\r\n');
        return '\u0003';
      }
      if (b === 0x04) {
        if (line.length === 0) return null;
        continue;
      }
      if (b === 0x7f || b === 0x08) {
        if (line.length > 0) {
          while (line.length > 0 && ((line[line.length - 1] as number) & 0xc0) === 0x80) line.pop();
          line.pop();
          this.echo('\b \b');
        }
        continue;
      }
      if (b === 0x1b) {
        // Arrow keys and other CSI sequences: no history or cursor movement here.
        const next = await this.nextByte();
        if (next === 0x5b) {
          let c: number | undefined;
          do c = await this.nextByte();
          while (c !== undefined && (c < 0x40 || c > 0x7e));
        }
        continue;
      }
      if (b < 0x20) continue;
      line.push(b);
      this.echo(Buffer.from([b]));
    }
  }
}

/** ExecIO whose newlines become CRLF, as a pty with ONLCR delivers them. */
export function crlfIO(io: ExecIO): ExecIO {
  // Chunks without a newline pass untouched (an echoed byte may be part of a UTF-8 character).
  const conv = (c: Buffer | string) =>
    typeof c !== 'string' && !c.includes(0x0a) ? c : c.toString().replace(/\r?\n/g, '\r\n');
  return { stdout: (c) => io.stdout(conv(c)), stderr: (c) => io.stderr(conv(c)), stdin: io.stdin };
}
