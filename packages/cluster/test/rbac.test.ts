// deploy/'s RBAC on the real apiserver: the worker's ServiceAccount (a real token from the
// TokenRequest API, not an admin kubeconfig) grades a rostered namespace in full, pod delete
// included; in a namespace outside the roster the grader answers `error` naming the refusal,
// never `fail`; and every write beyond what the grader needs is refused by the real apiserver.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { roleBindings, toYaml } from '@kubegrade/deploy';
import { grade, loadLabById, type RunResult } from '@kubegrade/grader';
import {
  ALL_PASS_B,
  applyScenario,
  kubeTarget,
  podReady,
  STS_B,
  studentObjects,
} from '@kubegrade/grader/scenarios';
import { verdicts } from '@kubegrade/grader/sim-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKubeConfig, emptyCluster, k, kApply, realCluster } from './real.ts';

const DEPLOY = resolve(import.meta.dirname, '../../../deploy/base');
const ROSTERED = 'rbac-student';
const OUTSIDER = 'rbac-outsider';

/** The HTTP status a client-node call failed with. */
async function statusOf(call: () => Promise<unknown>): Promise<number> {
  try {
    await call();
    return 200;
  } catch (e) {
    return (e as { code?: number }).code ?? 0;
  }
}

describe.skipIf(!realCluster)("deploy/'s RBAC enforced by the real apiserver", () => {
  let worker: KubeConfig;
  let rostered: RunResult;
  let outsider: RunResult;

  beforeAll(async () => {
    await emptyCluster([ROSTERED, OUTSIDER]);
    // What an operator applies: the namespace, the ServiceAccounts and the roles of deploy/base,
    // and one generated RoleBinding per rostered namespace (only ROSTERED here).
    await k('apply', '-f', `${DEPLOY}/namespace.yaml`);
    for (const f of ['serviceaccounts.yaml', 'rbac.yaml'])
      await k('apply', '-n', 'kubegrade', '-f', `${DEPLOY}/${f}`);
    const admin = kubeTarget(adminKubeConfig(), { timeMultiplier: 3 });
    for (const ns of [ROSTERED, OUTSIDER]) {
      const { objects } = studentObjects('redis-exist-pvc', ns, null);
      await applyScenario(admin, {
        lab: 'redis-exist-pvc',
        namespace: ns,
        title: 'correct',
        steps: [{ apply: objects }, podReady(ns, `${STS_B}-0`)],
        expect: {},
        redisPods: 1,
      });
    }
    await kApply(toYaml(roleBindings([ROSTERED])));
    const token = (await k('create', 'token', 'kubegrade-worker', '-n', 'kubegrade', '--duration=1h')).trim();
    worker = new KubeConfig();
    worker.loadFromOptions({
      clusters: [
        {
          name: 'real',
          server: realCluster!.server,
          caData: readFileSync(realCluster!.caFile).toString('base64'),
        },
      ],
      users: [{ name: 'kubegrade-worker', token }],
      contexts: [{ name: 'real', cluster: 'real', user: 'kubegrade-worker' }],
      currentContext: 'real',
    });
    const lab = loadLabById('redis-exist-pvc');
    [rostered, outsider] = await Promise.all([
      grade({ lab, namespace: ROSTERED, kubeConfig: worker, disruptive: true }),
      grade({ lab, namespace: OUTSIDER, kubeConfig: worker, disruptive: true }),
    ]);
  });

  afterAll(async () => {
    await emptyCluster([ROSTERED, OUTSIDER]);
  });

  it('grades a rostered namespace in full with the worker ServiceAccount token, pod delete included', () => {
    expect(verdicts(rostered)).toEqual(ALL_PASS_B);
    expect(rostered.score).toBe(rostered.maxScore);
  });

  it('answers error naming the refusal, never fail, for a namespace outside the roster', () => {
    const statuses = outsider.checks.map((c) => c.status);
    expect(statuses).not.toContain('fail');
    expect(outsider.status).toBe('error');
    const refused = outsider.checks.filter((c) => c.status === 'error');
    expect(refused.length).toBeGreaterThan(0);
    for (const c of refused) expect(c.message).toMatch(/forbidden|RBAC|permission/i);
  });

  it('refuses every write and read beyond what the grader needs', async () => {
    const core = worker.makeApiClient(CoreV1Api);
    const apps = worker.makeApiClient(AppsV1Api);
    const pod0 = `${STS_B}-0`;
    const refused = {
      'delete a claim': await statusOf(() =>
        core.deleteNamespacedPersistentVolumeClaim({
          name: `pvc-${ROSTERED}-redis-exist-pvc`,
          namespace: ROSTERED,
        }),
      ),
      'create a pod': await statusOf(() =>
        core.createNamespacedPod({
          namespace: ROSTERED,
          body: {
            metadata: { name: 'intruder' },
            spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
          },
        }),
      ),
      'scale the StatefulSet': await statusOf(() =>
        apps.patchNamespacedStatefulSetScale({
          name: STS_B,
          namespace: ROSTERED,
          body: { spec: { replicas: 0 } },
        }),
      ),
      'read secrets': await statusOf(() => core.listNamespacedSecret({ namespace: ROSTERED })),
      'delete a PV': await statusOf(() =>
        core.deletePersistentVolume({ name: `pv-${ROSTERED}-redis-exist-pvc` }),
      ),
      'read nodes': await statusOf(() => core.listNode()),
      'delete a pod outside the roster': await statusOf(() =>
        core.deleteNamespacedPod({ name: pod0, namespace: OUTSIDER }),
      ),
      'read pods outside the roster': await statusOf(() => core.listNamespacedPod({ namespace: OUTSIDER })),
    };
    expect(refused).toEqual(Object.fromEntries(Object.keys(refused).map((what) => [what, 403])));
    // The pod outside the roster was never deleted by the grader.
    expect(
      (await k('get', 'pod', pod0, '-n', OUTSIDER, '-o', 'jsonpath={.metadata.deletionTimestamp}')).trim(),
    ).toBe('');
  });
});
