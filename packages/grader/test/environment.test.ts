// Telling the course environment's faults from the student's, and building the KubeConfig.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { kubeConfigFrom } from '../src/index.ts';
import { environmentFault } from '../src/primitives/common.ts';
import type { CheckContext } from '../src/primitives/registry.ts';

function crashingPod(message: string): V1Pod {
  return {
    metadata: { name: 'statefulset-redis-exist-pvc-0', uid: 'u1' },
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'redis',
          image: 'redis:7.4.4',
          imageID: '',
          ready: false,
          restartCount: 4,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, message } },
        },
      ],
    },
  };
}

// The termination message carries the evidence, so no API call is needed for these pods.
const ctx = { namespace: 'shiqi', signal: new AbortController().signal } as unknown as CheckContext;

describe('environment faults', () => {
  it("reports an NFS root_squash crash loop as the environment's error, with the log line", async () => {
    const o = await environmentFault(
      ctx,
      crashingPod("chown: changing ownership of './dump.rdb': Operation not permitted\n"),
    );
    expect(o?.status).toBe('error');
    expect(o?.hint).toBe('env-nfs-root-squash');
    expect(o?.evidence).toMatchObject({
      container: 'redis',
      restartCount: 4,
      log: "chown: changing ownership of './dump.rdb': Operation not permitted",
    });
  });
});

describe('kubeConfigFrom', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubegrade-kc-'));
  const file = join(dir, 'config');
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters:
- {name: a, cluster: {server: "https://a.example:6443"}}
- {name: b, cluster: {server: "https://b.example:6443"}}
users: [{name: u, user: {token: t}}]
contexts:
- {name: ctx-a, context: {cluster: a, user: u}}
- {name: ctx-b, context: {cluster: b, user: u}}
current-context: ctx-a
`,
  );
  it('uses the file and the chosen context', () => {
    expect(kubeConfigFrom({ kubeconfig: file }).getCurrentCluster()?.server).toBe('https://a.example:6443');
    expect(kubeConfigFrom({ kubeconfig: file, context: 'ctx-b' }).getCurrentCluster()?.server).toBe(
      'https://b.example:6443',
    );
  });
  it('says which contexts exist when the asked one does not, and when the file is missing', () => {
    expect(() => kubeConfigFrom({ kubeconfig: file, context: 'nope' })).toThrow(
      /context "nope" not found.*ctx-a, ctx-b/,
    );
    expect(() => kubeConfigFrom({ kubeconfig: join(dir, 'missing') })).toThrow(/does not exist/);
  });
});
