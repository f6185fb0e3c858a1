// `kubegrade lab test`: the installed command proves each shipped lab with the chapter's manifests
// (test/solutions/, with the fixes the labs teach) on an in-process kube-sim, and marks a false
// pass when the lab stops checking something its mutation breaks.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kubegrade } from './cli-helper.ts';

const SOLUTIONS = resolve(import.meta.dirname, 'solutions');
const tmp = mkdtempSync(join(tmpdir(), 'kubegrade-lab-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Each test is a whole `kubegrade lab test` process grading ~40 mutations 8 at a time, pod deletes
// included: minutes on a busy CI machine (it timed out at 120 s at load 15-18).
describe('kubegrade lab test', { timeout: 400_000 }, () => {
  for (const lab of ['pv-claimref', 'redis-exist-pvc', 'redis-not-exist-pvc']) {
    it(`proves ${lab} with the chapter's manifests: the solution passes in full, no false pass`, async () => {
      const r = await kubegrade(['lab', 'test', lab, '--solution', join(SOLUTIONS, lab)]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/written for namespace shiqi/);
      expect(r.stdout).toMatch(/solution as given \(namespace lt-correct\): passed/);
      expect(r.stdout).toMatch(/false passes 0, false fails 0, errors 0/);
      expect(r.stdout).not.toMatch(/FALSE PASS/);
      expect(r.code).toBe(0);
    });
  }

  it('runs on any cluster with --kubeconfig (here a kube-sim server) and removes what it created', async () => {
    const { startSim } = await import('./sim/helpers.ts');
    const { COURSE_ENVIRONMENT, kubeTarget } = await import('./scenarios/index.ts');
    const env = await startSim();
    try {
      // The course environment the cluster provides: the default nfs-client class.
      await kubeTarget(env.kc).apply([...COURSE_ENVIRONMENT]);
      const r = await kubegrade([
        'lab',
        'test',
        'pv-claimref',
        '--solution',
        join(SOLUTIONS, 'pv-claimref'),
        '--kubeconfig',
        env.kubeconfigFile,
        '--time-multiplier',
        '0.25',
      ]);
      expect(r.stdout).toMatch(/on the cluster of /);
      expect(r.stdout).toMatch(/false passes 0, false fails 0, errors 0/);
      expect(r.code).toBe(0);
      const left = (resource: string) =>
        env.sim.view
          .list(resource)
          .filter((o) => /^(pv-)?lt-/.test(o.metadata.name) && !o.metadata.deletionTimestamp);
      expect(left('persistentvolumes')).toEqual([]);
      expect(left('namespaces')).toEqual([]);
    } finally {
      await env.stop();
    }
  });

  it('marks the false pass of a lab that no longer checks the reclaim policy, and exits 1', async () => {
    const text = readFileSync(resolve(import.meta.dirname, '../labs/pv-claimref.yaml'), 'utf8').replace(
      /\n\s+reclaimPolicy: "\{reclaimPolicy\}"/,
      '',
    );
    const file = join(tmp, 'lax.yaml');
    writeFileSync(file, text);
    const r = await kubegrade(['lab', 'test', file, '--solution', join(SOLUTIONS, 'pv-claimref')]);
    expect(r.stdout).toMatch(/lt-pv-reclaim-delete\s+FALSE PASS\(fail\)/);
    expect(r.stdout).toMatch(/false passes 1/);
    expect(r.code).toBe(1);
  });

  it('refuses a solution that does not pass in full', async () => {
    // The chapter's lab B manifests as written: the Service is not named like serviceName.
    const dir = join(tmp, 'as-written');
    const { mkdirSync, copyFileSync, readdirSync } = await import('node:fs');
    mkdirSync(dir);
    for (const f of readdirSync(join(SOLUTIONS, 'redis-exist-pvc')))
      copyFileSync(join(SOLUTIONS, 'redis-exist-pvc', f), join(dir, f));
    writeFileSync(
      join(dir, 'service-headless-redis-exist-pvc.yaml'),
      readFileSync(
        join(SOLUTIONS, 'redis-exist-pvc', 'service-headless-redis-exist-pvc.yaml'),
        'utf8',
      ).replace('name: redis-exist-pvc', 'name: service-headless-redis-exist-pvc'),
    );
    const r = await kubegrade(['lab', 'test', 'redis-exist-pvc', '--solution', dir]);
    expect(r.stdout).toMatch(/solution as given \(namespace lt-correct\): failed/);
    expect(r.stdout).toMatch(/the solution must pass in full/);
    expect(r.code).toBe(1);
  });
});
