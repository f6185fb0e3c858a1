// `kubegrade remote`: a script's client of a Kubegrade server (GraphQL and the CSV export over
// HTTP with an API token), for CI jobs and instructors' scripts. Loaded only by the remote commands;
// it needs nothing but Node's fetch.
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { keepAlivePause, poll } from './poll.ts';

/** Where a remote command finds its server and token. */
export interface RemoteTarget {
  server: string;
  token: string;
}

/** A refusal or failure of the server, with the HTTP status and the api's error code. */
export class RemoteError extends Error {
  override name = 'RemoteError';
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: string | null,
  ) {
    super(message);
  }
}

const configFile = z
  .object({ server: z.string().url().optional(), token: z.string().min(1).max(200).optional() })
  .strict();

/** The default config file: $KUBEGRADE_CONFIG, else ~/.config/kubegrade/config.json. */
export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.KUBEGRADE_CONFIG ??
    join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'kubegrade', 'config.json')
  );
}

/**
 * Server: `--server`, else $KUBEGRADE_URL, else the config file's `server`. Token: $KUBEGRADE_TOKEN,
 * else the config file's `token` (never a flag: a flag shows in `ps` and the shell history).
 */
export function resolveTarget(
  o: { server?: string; config?: string },
  env: NodeJS.ProcessEnv = process.env,
  warn: (s: string) => void = () => undefined,
): RemoteTarget {
  const path = o.config ?? defaultConfigPath(env);
  let file: z.infer<typeof configFile> = {};
  let text: string | null = null;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (o.config)
      throw new RemoteError(`cannot read the config file ${path}: ${(e as Error).message}`, null, null);
  }
  if (text !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new RemoteError(
        `${path} is not JSON; write {"server": "https://...", "token": "kgt_..."}`,
        null,
        null,
      );
    }
    const r = configFile.safeParse(parsed);
    if (!r.success)
      throw new RemoteError(
        `${path}: ${r.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ')}`,
        null,
        null,
      );
    file = r.data;
    if (file.token && (statSync(path).mode & 0o077) !== 0)
      warn(`kubegrade: ${path} holds a token and others can read it; chmod 600 ${path}\n`);
  }
  const server = (o.server || env.KUBEGRADE_URL || file.server)?.replace(/\/+$/, '');
  const token = env.KUBEGRADE_TOKEN || file.token;
  if (!server)
    throw new RemoteError(
      `no server: pass --server <url>, set KUBEGRADE_URL, or put "server" in ${path}`,
      null,
      null,
    );
  if (!/^https?:\/\//.test(server))
    throw new RemoteError(`the server must be an http(s) URL (got ${server})`, null, null);
  if (!token)
    throw new RemoteError(
      `no token: set KUBEGRADE_TOKEN or put "token" in ${path} (create one on the API tokens page)`,
      null,
      null,
    );
  return { server, token };
}

async function call(target: RemoteTarget, path: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(`${target.server}${path}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${target.token}` },
      signal: AbortSignal.timeout(60_000),
    });
  } catch (e) {
    throw new RemoteError(`cannot reach ${target.server}: ${(e as Error).message}`, null, null);
  }
}

function refusal(status: number, body: unknown): RemoteError {
  const b = body as {
    error?: { code?: string; message?: string };
    errors?: { message?: string; extensions?: { code?: string } }[];
  } | null;
  const e =
    b?.error ??
    (b?.errors?.[0] ? { code: b.errors[0].extensions?.code, message: b.errors[0].message } : undefined);
  return new RemoteError(
    `${status} ${e?.code ?? 'ERROR'}: ${e?.message ?? 'the server refused the request'}`,
    status,
    e?.code ?? null,
  );
}

/** One GraphQL operation; throws RemoteError on an HTTP refusal or a GraphQL error. */
export async function graphql<T>(
  target: RemoteTarget,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const res = await call(target, '/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json().catch(() => null)) as {
    data?: T | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  } | null;
  if (!res.ok || body?.errors?.length || !body?.data) throw refusal(res.status, body);
  return body.data;
}

/** The text of a CSV export (`/export/...`). */
export async function exportCsv(target: RemoteTarget, path: string): Promise<string> {
  const res = await call(target, path);
  if (!res.ok) throw refusal(res.status, await res.json().catch(() => null));
  return res.text();
}

/** One scoreboard row as `remote scoreboard --format json` prints it. */
export interface RemoteScoreboardRow {
  namespace: string;
  student: { email: string; name: string; studentId: string | null };
  score: number | null;
  bestScore: number | null;
  maxScore: number;
  lastGradedAt: string | null;
  cells: { checkId: string; status: string; points: number }[];
}

// The api's query cost limit counts every row a page may return; 100 rows fit.
const SCOREBOARD_PAGE = 100;

/** Every scoreboard row of a lab (pages of SCOREBOARD_PAGE). */
export async function scoreboard(
  target: RemoteTarget,
  labId: string,
): Promise<{ total: number; rows: RemoteScoreboardRow[] }> {
  const rows: RemoteScoreboardRow[] = [];
  let total = 0;
  for (let offset = 0; offset === 0 || offset < total; offset += SCOREBOARD_PAGE) {
    const data = await graphql<{ scoreboard: { total: number; rows: RemoteScoreboardRow[] } }>(
      target,
      `
        query ($l: ID!, $o: Int!, $n: Int!) {
          scoreboard(labId: $l, first: $n, offset: $o) {
            total
            rows {
              namespace
              score
              bestScore
              maxScore
              lastGradedAt
              student {
                email
                name
                studentId
              }
              cells {
                checkId
                status
                points
              }
            }
          }
        }
      `,
      { l: labId, o: offset, n: SCOREBOARD_PAGE },
    );
    total = data.scoreboard.total;
    rows.push(...data.scoreboard.rows);
    if (!data.scoreboard.rows.length) break;
  }
  return { total, rows };
}

/** A run as `remote regrade` reports it. */
export interface RemoteRun {
  id: string;
  namespace: string;
  status: string;
  score: number | null;
  maxScore: number;
}

const FINAL = new Set(['PASSED', 'FAILED', 'ERROR', 'CANCELLED']);

/** Starts a regrade of `namespaces` for the lab; answers the runs (joined ones included). */
export async function regrade(
  target: RemoteTarget,
  labId: string,
  namespaces: string[],
  disruptive: boolean,
): Promise<{ runs: RemoteRun[]; joined: number }> {
  const data = await graphql<{ regrade: { runs: RemoteRun[]; joined: number } }>(
    target,
    'mutation($l: ID!, $n: [String!], $d: Boolean) { regrade(labId: $l, namespaces: $n, disruptive: $d) { joined runs { id namespace status score maxScore } } }',
    { l: labId, n: namespaces, d: disruptive },
  );
  return data.regrade;
}

/** Polls the runs until every one has a final status or `timeoutMs` passes; answers their last state. */
export async function waitForRuns(
  target: RemoteTarget,
  runs: RemoteRun[],
  opts: { intervalMs: number; timeoutMs: number; onChange?: (r: RemoteRun) => void },
): Promise<{ runs: RemoteRun[]; timedOut: boolean }> {
  const state = new Map(runs.map((r) => [r.id, r]));
  const open = () => [...state.values()].filter((r) => !FINAL.has(r.status)).map((r) => r.id);
  const polled = await poll(
    async (n) => {
      // The runs as regrade answered them first, then as the server says after each pause.
      for (let i = 0, ids = n > 0 ? open() : []; i < ids.length; i += 100) {
        const data = await graphql<{ runs: { nodes: RemoteRun[] } }>(
          target,
          'query($ids: [ID!]) { runs(ids: $ids, first: 100) { nodes { id namespace status score maxScore } } }',
          { ids: ids.slice(i, i + 100) },
        );
        for (const r of data.runs.nodes) {
          if (state.get(r.id)?.status !== r.status) opts.onChange?.(r);
          state.set(r.id, r);
        }
      }
      return open();
    },
    (left) => left.length === 0,
    { withinMs: opts.timeoutMs, everyMs: opts.intervalMs, pauses: 'whole', pause: keepAlivePause },
  );
  return { runs: [...state.values()], timedOut: !polled.done };
}

/** Whether a run status is final. */
export function isFinal(status: string): boolean {
  return FINAL.has(status);
}
