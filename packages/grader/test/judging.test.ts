// The judgements every primitive shares, without a cluster: which container is Redis, and what a
// pod's status says about why it is not Ready.
import type { V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { renderMessage } from '../src/messages.ts';
import { ownedBy, podProblem, redisContainer } from '../src/primitives/common.ts';

const en = renderMessage;

const redis = { name: 'redis', image: 'redis:7.4.4', ports: [{ containerPort: 6379 }] };
const tools = { name: 'tools', image: 'busybox:1.36', command: ['sleep', '3600'] };

describe('which container is Redis', () => {
  it('the Redis one, wherever it is listed, saying why', () => {
    const j = redisContainer({ containers: [tools, redis] } as V1PodSpec);
    expect(j.name).toBe('redis');
    expect(en(j.reason, 'en')).toBe('image redis:7.4.4, port 6379 (container 2 of 2)');
  });
  it("a mirror's image, a redis-server command or port 6379 each count; more signs win", () => {
    const mirror = { name: 'db', image: 'swr.cn-north-4.myhuaweicloud.com/ddn-k8s/docker.io/redis:7.4.4' };
    expect(redisContainer({ containers: [tools, mirror] } as V1PodSpec).name).toBe('db');
    const custom = { name: 'kv', image: 'example.com/kv:1', command: ['/usr/local/bin/redis-server'] };
    expect(redisContainer({ containers: [tools, custom] } as V1PodSpec).name).toBe('kv');
    const exporter = {
      name: 'exporter',
      image: 'oliver006/redis_exporter',
      ports: [{ containerPort: 6379 }],
    };
    expect(redisContainer({ containers: [exporter, redis] } as V1PodSpec).name).toBe('redis');
  });
  it("the lab's container name when the pod has it, else says it is missing", () => {
    expect(redisContainer({ containers: [redis, tools] } as V1PodSpec, 'tools')).toEqual({
      name: 'tools',
      reason: { $msg: 'container.lab-names', params: { name: 'tools' } },
    });
    expect(en(redisContainer({ containers: [tools, redis] } as V1PodSpec, 'cache').reason, 'en')).toMatch(
      /^the lab names container cache, which the pod lacks; image redis/,
    );
  });
  it('says so when nothing looks like Redis', () => {
    expect(
      en(redisContainer({ containers: [tools, { name: 'b', image: 'busybox' }] } as V1PodSpec).reason, 'en'),
    ).toMatch(/no container looks like Redis .*judged the first of 2/);
  });
});

const pod = (
  status: V1Pod['status'],
  extra: Partial<V1Pod['metadata']> = {},
  spec: Partial<V1PodSpec> = {},
): V1Pod => ({
  metadata: { name: 'p-0', uid: 'u1', ...extra },
  spec: {
    containers: [{ ...redis, readinessProbe: { exec: { command: ['redis-cli', 'ping'] } } }],
    ...spec,
  } as V1PodSpec,
  status,
});

describe('why a pod is not Ready', () => {
  it('Terminating first, with its finalizers, whatever the phase says', () => {
    const p = pod(
      { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
      { deletionTimestamp: new Date('2026-12-01T00:00:00Z'), finalizers: ['example.com/hold'] },
    );
    expect(podProblem(p, 'redis')).toMatchObject({ cause: 'terminating', hint: 'pod-terminating' });
    expect(en(podProblem(p, 'redis').message, 'en')).toMatch(
      /is Terminating \(deletionTimestamp 2026-12-01T00:00:00.000Z, held by finalizers \[example.com\/hold\]\)/,
    );
  });
  it('crash-looping, with restarts and the last exit, not "readiness probe failing"', () => {
    const p = pod({
      phase: 'Running',
      containerStatuses: [
        {
          name: 'redis',
          image: 'redis:7.4.4',
          imageID: '',
          ready: false,
          restartCount: 3,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error' } },
        },
      ],
    });
    const why = podProblem(p, 'redis');
    expect(why).toMatchObject({ cause: 'crash-loop', hint: 'pod-not-running' });
    expect(en(why.message, 'en')).toBe(
      'pod p-0: container redis is crash-looping (CrashLoopBackOff, 3 restart(s); last exit 1 (Error))',
    );
  });
  it('readiness failing only when a probed container runs and is not ready', () => {
    const running = {
      name: 'redis',
      image: 'redis:7.4.4',
      imageID: '',
      ready: false,
      restartCount: 0,
      state: { running: {} },
    };
    expect(podProblem(pod({ phase: 'Running', containerStatuses: [running] }), 'redis').cause).toBe(
      'readiness',
    );
    const noProbe = pod({ phase: 'Running', containerStatuses: [running] }, {}, { containers: [redis] });
    expect(en(podProblem(noProbe, 'redis').message, 'en')).toMatch(
      /Running but not Ready yet .*no readiness probe/,
    );
  });
  it('image pulls and scheduling name their cause; node resources are flagged', () => {
    const pull = pod({
      phase: 'Pending',
      containerStatuses: [
        {
          name: 'redis',
          image: 'redis:7.4.4',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "redis:7.4.4"' } },
        },
      ],
    });
    expect(podProblem(pull, 'redis')).toMatchObject({ cause: 'image-pull', image: 'redis:7.4.4' });
    const full = pod({
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: '0/1 nodes are available: 1 Insufficient cpu.',
        },
      ],
    });
    expect(podProblem(full, 'redis')).toMatchObject({ cause: 'unschedulable', nodeResources: true });
    const claim = pod({
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          message: '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.',
        },
      ],
    });
    expect(podProblem(claim, 'redis')).toMatchObject({ cause: 'unschedulable', nodeResources: false });
  });
});

describe('ownership', () => {
  const sts = { metadata: { name: 's', uid: 'sts-uid' } };
  it('only a controller ownerReference to that StatefulSet (by uid) counts', () => {
    const ref = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 's', uid: 'sts-uid', controller: true };
    expect(ownedBy(pod({}, { ownerReferences: [ref] }), sts)).toBe(true);
    expect(ownedBy(pod({}, { ownerReferences: [{ ...ref, uid: 'old-uid' }] }), sts)).toBe(false);
    expect(ownedBy(pod({}, { ownerReferences: [{ ...ref, controller: false }] }), sts)).toBe(false);
    expect(ownedBy(pod({}), sts)).toBe(false);
  });
});
