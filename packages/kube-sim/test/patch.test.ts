// The patch formats as kubectl and client libraries send them, on the shapes of the served kinds.

import { describe, expect, it } from 'vitest';
import { jsonPatch, mergePatch, strategicMergePatch, threeWayPatch } from '../src/patch.ts';
import { matchesLabels, parseLabelSelector } from '../src/selectors.ts';

const pod = {
  metadata: { name: 'p', labels: { a: '1', b: '2' }, finalizers: ['x'] },
  spec: {
    containers: [
      {
        name: 'redis',
        image: 'redis:7.4.4',
        ports: [{ containerPort: 6379, protocol: 'TCP' }],
        volumeMounts: [{ name: 'd', mountPath: '/data' }],
      },
      { name: 'side', image: 'busybox:1.36' },
    ],
    volumes: [{ name: 'd', emptyDir: {} }],
  },
};

describe('strategic merge patch', () => {
  it('merges containers by name, keeps unnamed fields, and deletes with null', () => {
    const out = strategicMergePatch('Pod', pod, {
      metadata: { labels: { b: null, c: '3' } },
      spec: { containers: [{ name: 'side', image: 'busybox:1.37' }] },
    }) as typeof pod;
    expect(out.metadata.labels).toEqual({ a: '1', c: '3' });
    expect(out.spec.containers.map((c) => `${c.name}:${c.image}`)).toEqual([
      'redis:redis:7.4.4',
      'side:busybox:1.37',
    ]);
    expect(out.spec.containers[0]!.ports).toEqual([{ containerPort: 6379, protocol: 'TCP' }]);
  });

  it('honours $patch: delete, $patch: replace, $setElementOrder and $deleteFromPrimitiveList', () => {
    const out = strategicMergePatch('Pod', pod, {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] },
      spec: {
        '$setElementOrder/containers': [{ name: 'side' }, { name: 'redis' }],
        containers: [{ name: 'redis', image: 'redis:8' }],
        volumes: [{ name: 'd', $patch: 'delete' }],
      },
    }) as typeof pod;
    expect(out.metadata.finalizers).toEqual([]);
    expect(out.spec.containers.map((c) => c.name)).toEqual(['side', 'redis']);
    expect(out.spec.containers[1]!.image).toBe('redis:8');
    expect(out.spec.volumes).toEqual([]);
    const replaced = strategicMergePatch('Pod', pod, {
      spec: { containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] },
    }) as typeof pod;
    expect(replaced.spec.containers).toEqual([{ name: 'only', image: 'x' }]);
  });

  it('merges Service ports by port and finalizers as a set', () => {
    const svc = {
      metadata: { finalizers: ['a'] },
      spec: {
        ports: [
          { port: 80, name: 'http' },
          { port: 443, name: 'https' },
        ],
      },
    };
    const out = strategicMergePatch('Service', svc, {
      metadata: { finalizers: ['a', 'b'] },
      spec: { ports: [{ port: 443, targetPort: 8443 }] },
    }) as {
      metadata: { finalizers: string[] };
      spec: { ports: Record<string, unknown>[] };
    };
    expect(out.metadata.finalizers).toEqual(['a', 'b']);
    expect(out.spec.ports).toEqual([
      { port: 80, name: 'http' },
      { port: 443, name: 'https', targetPort: 8443 },
    ]);
  });

  it('threeWayPatch removes what the last applied manifest had and the new one dropped', () => {
    const before = {
      metadata: { labels: { a: '1', gone: 'x' } },
      spec: {
        volumes: [
          { name: 'd', emptyDir: {} },
          { name: 'old', emptyDir: {} },
        ],
      },
    };
    const after = {
      metadata: { labels: { a: '1' } },
      spec: { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'c' } }] },
    };
    const live = strategicMergePatch('Pod', before, {});
    const out = strategicMergePatch('Pod', live, threeWayPatch('Pod', before, after)) as typeof after;
    expect(out).toEqual(after);
  });
});

describe('JSON merge patch and JSON patch', () => {
  it('merge patch replaces lists and deletes with null', () => {
    expect(mergePatch({ a: { b: 1, c: [1, 2] } }, { a: { b: null, c: [3] } })).toEqual({ a: { c: [3] } });
  });

  it('JSON patch applies add/replace/remove/move/copy in order and fails a test with the path', () => {
    const out = jsonPatch({ spec: { claimRef: { name: 'x', uid: 'u' }, list: [1, 2] } }, [
      { op: 'remove', path: '/spec/claimRef/uid' },
      { op: 'replace', path: '/spec/claimRef/name', value: 'y' },
      { op: 'add', path: '/spec/list/-', value: 3 },
      { op: 'copy', from: '/spec/list', path: '/spec/copy' },
      { op: 'move', from: '/spec/copy', path: '/spec/moved' },
    ]);
    expect(out).toEqual({ spec: { claimRef: { name: 'y' }, list: [1, 2, 3], moved: [1, 2, 3] } });
    expect(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(
      'testing value /a failed',
    );
    expect(() => jsonPatch({ a: 1 }, [{ op: 'remove', path: '/b' }])).toThrow('missing path');
  });
});

describe('label selectors', () => {
  it('parses equality, set and existence requirements', () => {
    const sel = parseLabelSelector('app=redis,tier!=cache,env in (prod, staging),!legacy,version');
    expect(matchesLabels(sel, { app: 'redis', env: 'prod', version: '7' })).toBe(true);
    expect(matchesLabels(sel, { app: 'redis', env: 'dev', version: '7' })).toBe(false);
    expect(matchesLabels(sel, { app: 'redis', env: 'prod', version: '7', legacy: '' })).toBe(false);
    expect(matchesLabels(sel, { app: 'redis', env: 'prod' })).toBe(false);
    expect(() => parseLabelSelector('app==')).not.toThrow();
    expect(() => parseLabelSelector('bad key=1')).toThrow(/unable to parse requirement/);
  });
});
