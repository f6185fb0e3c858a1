// kube-sim answers a plain one-shot `redis-cli CMD ...` exec without running redis-cli: the output
// must be what the real redis-cli prints on a pipe, byte for byte, for every kind of reply.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRedisServer } from '../src/runtime/index.ts';
import { startRedisServer, type RedisProcess } from '../src/runtime/redis-process.ts';
import { answersWithoutProcess, redisCliRaw } from '../src/runtime/resp.ts';

const run = promisify(execFile);
// Required, never skipped: .ci/run installs redis-server (and redis-cli with it).
const bin = findRedisServer() ?? 'redis-server';
const cli = path.join(path.dirname(bin), 'redis-cli');

/** What the real redis-cli prints on a pipe, and its exit status. */
async function realCli(port: number, args: string[]): Promise<{ stdout: string; exitCode: number }> {
  try {
    const { stdout } = await run(cli, ['-p', String(port), ...args]);
    return { stdout, exitCode: 0 };
  } catch (err) {
    const e = err as { stdout: string; code: number };
    return { stdout: e.stdout, exitCode: e.code };
  }
}

// Run in order against two servers, one for each side, so both see the same writes.
const COMMANDS: string[][] = [
  ['PING'],
  ['SET', 'testkey', 'Hello, Redis!'],
  ['GET', 'testkey'],
  ['GET', 'missing'],
  ['SET', 'multi', 'line one\nline two\r\n'],
  ['GET', 'multi'],
  ['SET', 'zh', '你好，持久化'],
  ['GET', 'zh'],
  ['SET', 'empty', ''],
  ['GET', 'empty'],
  ['SET', 'n', '41'],
  ['INCR', 'n'],
  ['INCRBY', 'n', '-9223372036854775000'],
  ['INCR', 'testkey'],
  ['GET'],
  ['NOSUCHCOMMAND', 'a', 'b'],
  ['RPUSH', 'list', 'a', 'b c', ''],
  ['LRANGE', 'list', '0', '-1'],
  ['LRANGE', 'nothing', '0', '-1'],
  ['GET', 'list'],
  ['MGET', 'testkey', 'missing', 'zh'],
  ['HSET', 'h', 'f', 'v'],
  ['HGETALL', 'h'],
  ['EXISTS', 'testkey', 'missing'],
  ['EVAL', "return {1, 'two', {3, 'four'}, redis.error_reply('MINE nested error'), false}", '0'],
  ['EVAL', "return redis.status_reply('FINE')", '0'],
  ['TYPE', 'list'],
  ['SAVE'],
  ['DEL', 'testkey', 'missing'],
  ['GETDEL', 'zh'],
];

// 30 redis-cli processes, and two servers: seconds on a busy machine.
describe('redis-cli on a pipe, answered without the process', { timeout: 120_000 }, () => {
  let dir: string;
  let server: RedisProcess;
  let twin: RedisProcess;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kube-sim-resp-'));
    server = await startRedisServer({ bin, dir: mkdtempSync(path.join(dir, 'ours-')) });
    twin = await startRedisServer({ bin, dir: mkdtempSync(path.join(dir, 'real-')) });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([server?.stop(2000), twin?.stop(2000)]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints every kind of reply exactly as redis-cli does, exit status included', async () => {
    for (const args of COMMANDS) {
      const real = await realCli(twin.port, args);
      const ours = await redisCliRaw(server.port, args);
      expect({ args, ...ours }).toEqual({ args, ...real });
    }
  });

  it('leaves what redis-cli handles itself, and an unreachable server, to the real redis-cli', async () => {
    for (const cmd of ['shutdown', 'MONITOR', 'subscribe', 'quit', 'debug', 'client', 'hello'])
      expect(answersWithoutProcess([cmd, 'x'])).toBe(false);
    expect(answersWithoutProcess([])).toBe(false);
    expect(answersWithoutProcess(['get', 'k'])).toBe(true);
    // A port nothing listens on: no answer here, so the caller runs redis-cli for its error text.
    const stopped = await startRedisServer({ bin, dir: mkdtempSync(path.join(dir, 'x-')) });
    await stopped.stop(2000);
    expect(await redisCliRaw(stopped.port, ['PING'])).toBeUndefined();
  });

  it('an abort ends the command as a killed redis-cli ends (137, nothing printed)', async () => {
    const ac = new AbortController();
    const pending = redisCliRaw(server.port, ['BLPOP', 'never-filled', '0'], ac.signal);
    setTimeout(() => ac.abort(), 50);
    expect(await pending).toEqual({ stdout: '', exitCode: 137 });
  });
});
