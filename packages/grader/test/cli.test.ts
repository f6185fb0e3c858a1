// The kubegrade CLI as a user runs it: a subprocess, its stdout and its exit code.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GRADER_VERSION } from '../src/index.ts';
import { BIN, kubegrade } from './cli-helper.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubegrade-cli-'));

describe('kubegrade CLI', () => {
  it('runs through the installed bin (node_modules/.bin/kubegrade)', async () => {
    const bin = resolve(import.meta.dirname, '../../../node_modules/.bin');
    const r = await new Promise<{ code: number; stdout: string }>((done) =>
      execFile(
        join(bin, 'kubegrade'),
        ['--version'],
        { env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } },
        (err, stdout) => done({ code: err ? -1 : 0, stdout }),
      ),
    );
    expect(r).toEqual({ code: 0, stdout: `${GRADER_VERSION}\n` });
  });

  it('is plain JavaScript: the installed command and the bundle it runs need no TypeScript loader', async () => {
    const bin = resolve(import.meta.dirname, '../../../node_modules/.bin/kubegrade');
    expect(realpathSync(bin)).toBe(BIN);
    expect(readFileSync(BIN, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    const r = await kubegrade(['--version'], { NODE_OPTIONS: '' });
    expect(r).toEqual({ code: 0, stdout: `${GRADER_VERSION}\n`, stderr: '' });
  });

  it('answers --help, labs and validate without loading the Kubernetes client; grade loads it', async () => {
    const block = ['--import', resolve(import.meta.dirname, 'block-kube-client.mjs')];
    const [help, labs, valid, graded] = await Promise.all([
      kubegrade(['--help'], {}, block),
      kubegrade(['labs'], {}, block),
      kubegrade(['validate', resolve(import.meta.dirname, '../labs/pv-claimref.yaml')], {}, block),
      kubegrade(['grade', '--lab', 'pv-claimref', '--namespace', 'x'], {}, block),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: kubegrade/);
    expect(labs.code).toBe(0);
    expect(labs.stdout).toMatch(/^redis-exist-pvc \(v\d+\): /m);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toMatch(/valid lab pv-claimref/);
    expect(graded.code).toBe(2);
    expect(graded.stderr).toMatch(/blocked: this command loaded @kubernetes\/client-node/);
  });

  it('remote: without a token it says where to put one (exit 2), and never loads the Kubernetes client', async () => {
    const block = ['--import', resolve(import.meta.dirname, 'block-kube-client.mjs')];
    const env = {
      KUBEGRADE_TOKEN: '',
      KUBEGRADE_URL: '',
      KUBEGRADE_CONFIG: join(dir, 'no-such-config.json'),
    };
    const [noToken, noServer] = await Promise.all([
      kubegrade(['remote', '--server', 'http://127.0.0.1:9', 'scoreboard', '--lab', 'x'], env, block),
      kubegrade(
        ['remote', 'regrade', '--lab', 'x', '--namespaces', 'a'],
        { ...env, KUBEGRADE_TOKEN: 'kgt_x' },
        block,
      ),
    ]);
    expect([noToken.code, noToken.stderr.trim(), noServer.code, noServer.stderr.trim()]).toEqual([
      2,
      `kubegrade: no token: set KUBEGRADE_TOKEN or put "token" in ${env.KUBEGRADE_CONFIG} (create one on the API tokens page)`,
      2,
      `kubegrade: no server: pass --server <url>, set KUBEGRADE_URL, or put "server" in ${env.KUBEGRADE_CONFIG}`,
    ]);
  });

  it('lists the shipped labs', async () => {
    const r = await kubegrade(['labs', '--format', 'json']);
    expect(r.code).toBe(0);
    const labs = JSON.parse(r.stdout) as { id: string }[];
    expect(labs.map((l) => l.id)).toEqual(['pv-claimref', 'redis-exist-pvc', 'redis-not-exist-pvc']);
  });

  it('validates lab files: 0 when valid, 1 with path and reason when not', async () => {
    const ok = await kubegrade(['validate', resolve(import.meta.dirname, '../labs/redis-exist-pvc.yaml')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/valid lab redis-exist-pvc/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'id: Bad Id\nversion: 1\ntitle: {zh: x, en: x}\nchecks: []\n');
    const r = await kubegrade(['validate', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/id: lowercase letters/);
    expect(r.stderr).toMatch(/checks: /);
  });

  it('exits 2 on bad arguments', async () => {
    const runs = await Promise.all([
      kubegrade(['grade', '--namespace', 'x']),
      kubegrade(['grade', '--lab', 'pv-claimref', '--namespace', 'x', '--format', 'xml']),
      kubegrade(['grade', '--lab', 'no-such-lab', '--namespace', 'x']),
      kubegrade(['frobnicate']),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2]);
    expect(runs[0]?.stderr).toMatch(/--lab/);
    expect(runs[2]?.stderr).toMatch(/no lab with id "no-such-lab"/);
  });

  it('reports an unreachable API server as errors (exit 2), never as the student failing', async () => {
    const kubeconfig = join(dir, 'down.yaml');
    writeFileSync(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:9", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
    );
    const r = await kubegrade([
      'grade',
      '--lab',
      'pv-claimref',
      '--namespace',
      'shiqi',
      '--kubeconfig',
      kubeconfig,
      '--format',
      'json',
      '--time-multiplier',
      '0.2',
    ]);
    expect(r.code).toBe(2);
    const j = JSON.parse(r.stdout) as {
      status: string;
      score: number;
      maxScore: number;
      checks: { id: string; status: string; message: string }[];
    };
    expect(j.status).toBe('error');
    expect(j.score).toBe(0);
    expect(j.maxScore).toBe(100);
    expect(j.checks.map((c) => c.status)).toEqual(['error', 'error']);
    expect(j.checks[0]?.message).toMatch(/cannot reach the API server/);
  });
});
