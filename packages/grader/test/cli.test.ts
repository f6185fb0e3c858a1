// The kubegrade CLI as a user runs it: a subprocess, its stdout and its exit code.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GRADER_VERSION } from '../src/index.ts';
import { kubegrade } from './cli-helper.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubegrade-cli-'));

describe('kubegrade CLI', () => {
  it('runs through the installed bin (node_modules/.bin/kubegrade)', async () => {
    const bin = resolve(import.meta.dirname, '../../../node_modules/.bin');
    const r = await new Promise<{ code: number; stdout: string }>((done) =>
      execFile(join(bin, 'kubegrade'), ['--version'], { env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } }, (err, stdout) =>
        done({ code: err ? -1 : 0, stdout }),
      ),
    );
    expect(r).toEqual({ code: 0, stdout: `${GRADER_VERSION}\n` });
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
    const r = await kubegrade(['grade', '--lab', 'pv-claimref', '--namespace', 'shiqi', '--kubeconfig', kubeconfig, '--format', 'json', '--time-multiplier', '0.2']);
    expect(r.code).toBe(2);
    const j = JSON.parse(r.stdout) as { status: string; score: number; maxScore: number; checks: { id: string; status: string; message: string }[] };
    expect(j.status).toBe('error');
    expect(j.score).toBe(0);
    expect(j.maxScore).toBe(100);
    expect(j.checks.map((c) => c.status)).toEqual(['error', 'error']);
    expect(j.checks[0]?.message).toMatch(/cannot reach the API server/);
  });
});
