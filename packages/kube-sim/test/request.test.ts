// Request decoding and pagination as pure functions, checked on tables of what clients send.

import { describe, expect, it } from 'vitest';
import { paginate } from '../src/dispatch.ts';
import { deleteOptions, parseRoute, patchType, verbOf } from '../src/request.ts';
import type { KubeObject } from '../src/runtime-contract.ts';

describe('parseRoute', () => {
  const cases: [string, { plural: string; namespace?: string; name?: string; sub?: string } | undefined][] = [
    ['/api/v1/pods', { plural: 'pods' }],
    ['/api/v1/namespaces/shiqi/pods', { plural: 'pods', namespace: 'shiqi' }],
    ['/api/v1/namespaces/shiqi/pods/redis-0', { plural: 'pods', namespace: 'shiqi', name: 'redis-0' }],
    [
      '/api/v1/namespaces/shiqi/pods/redis-0/exec',
      { plural: 'pods', namespace: 'shiqi', name: 'redis-0', sub: 'exec' },
    ],
    [
      '/apis/apps/v1/namespaces/shiqi/statefulsets/redis/scale',
      { plural: 'statefulsets', namespace: 'shiqi', name: 'redis', sub: 'scale' },
    ],
    // A namespace itself, and its status and finalize subresources.
    ['/api/v1/namespaces', { plural: 'namespaces' }],
    ['/api/v1/namespaces/shiqi', { plural: 'namespaces', name: 'shiqi' }],
    ['/api/v1/namespaces/shiqi/status', { plural: 'namespaces', name: 'shiqi', sub: 'status' }],
    ['/api/v1/namespaces/shiqi/finalize', { plural: 'namespaces', name: 'shiqi', sub: 'finalize' }],
    ['/api/v1/persistentvolumes/pv-1', { plural: 'persistentvolumes', name: 'pv-1' }],
    ['/apis/storage.k8s.io/v1/storageclasses/nfs-client', { plural: 'storageclasses', name: 'nfs-client' }],
    ['/api/v1/namespaces/a%20b/pods', { plural: 'pods', namespace: 'a b' }],
    // Not resources: a cluster-scoped kind in a namespace, an unknown plural or group, no plural.
    ['/api/v1/namespaces/shiqi/persistentvolumes', undefined],
    ['/api/v1/deployments', undefined],
    ['/apis/apps/v2/statefulsets', undefined],
    ['/api/v1', undefined],
    ['/version', undefined],
  ];
  it.each(cases)('%s', (path, want) => {
    const route = parseRoute(path);
    if (!want) expect(route).toBeUndefined();
    else
      expect(
        route && { plural: route.res.plural, namespace: route.namespace, name: route.name, sub: route.sub },
      ).toEqual({ namespace: undefined, name: undefined, sub: undefined, ...want });
  });
});

describe('verbOf', () => {
  const cases: [string, boolean, boolean, string][] = [
    ['GET', true, false, 'list'],
    ['GET', true, true, 'watch'],
    ['GET', false, false, 'get'],
    ['GET', false, true, 'get'],
    ['POST', true, false, 'create'],
    ['PUT', false, false, 'update'],
    ['PATCH', false, false, 'patch'],
    ['DELETE', false, false, 'delete'],
    ['DELETE', true, false, 'deletecollection'],
    ['OPTIONS', false, false, 'options'],
  ];
  it.each(cases)('%s collection=%s watch=%s is %s', (method, collection, watch, verb) => {
    expect(verbOf(method, collection, watch)).toBe(verb);
  });
});

describe('patchType', () => {
  const cases: [string | undefined, string | number][] = [
    ['application/json-patch+json', 'json'],
    ['application/merge-patch+json', 'merge'],
    ['application/strategic-merge-patch+json; charset=utf-8', 'strategic'],
    ['application/apply-patch+yaml', 'apply'],
    ['application/apply-patch+cbor', 'apply'],
    ['application/json', 415],
    [undefined, 415],
  ];
  it.each(cases)('%s', (contentType, want) => {
    if (typeof want === 'string') expect(patchType(contentType)).toBe(want);
    else
      expect(() => patchType(contentType)).toThrow(
        expect.objectContaining({ code: want, reason: 'UnsupportedMediaType' }),
      );
  });
});

describe('deleteOptions', () => {
  const cases: [string, string, unknown, object][] = [
    ['nothing', '', undefined, {}],
    ['grace from the query', 'gracePeriodSeconds=0', undefined, { gracePeriodSeconds: 0 }],
    ['grace from the body', '', { gracePeriodSeconds: 5 }, { gracePeriodSeconds: 5 }],
    [
      'the query wins',
      'gracePeriodSeconds=1&propagationPolicy=Orphan',
      { gracePeriodSeconds: 5, propagationPolicy: 'Foreground' },
      { gracePeriodSeconds: 1, propagationPolicy: 'Orphan' },
    ],
    ['an unknown policy is dropped', 'propagationPolicy=Sideways', undefined, {}],
    [
      'orphanDependents means Orphan',
      '',
      { orphanDependents: true, propagationPolicy: 'Background' },
      { propagationPolicy: 'Orphan' },
    ],
    ['preconditions', '', { preconditions: { uid: 'u1' } }, { preconditions: { uid: 'u1' } }],
  ];
  it.each(cases)('%s', (_what, query, body, want) => {
    expect(deleteOptions(new URLSearchParams(query), body)).toEqual(want);
  });
});

describe('paginate', () => {
  const obj = (namespace: string, name: string) =>
    ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, uid: name } }) as KubeObject;
  const items = [obj('a', 'p1'), obj('a', 'p2'), obj('b', 'p1'), obj('b', 'p3')];
  const names = (xs: KubeObject[]) => xs.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
  const token = (key: string) => Buffer.from(key, 'utf8').toString('base64url');
  const cases: [string, string | null, number, string[], string | undefined, number | undefined][] = [
    ['no limit: everything', null, 0, ['a/p1', 'a/p2', 'b/p1', 'b/p3'], undefined, undefined],
    [
      'a limit as large as the list: no token',
      null,
      4,
      ['a/p1', 'a/p2', 'b/p1', 'b/p3'],
      undefined,
      undefined,
    ],
    ['first page', null, 2, ['a/p1', 'a/p2'], token('a/p2'), 2],
    ['next page from the token', token('a/p2'), 2, ['b/p1', 'b/p3'], undefined, undefined],
    ['middle page', token('a/p1'), 2, ['a/p2', 'b/p1'], token('b/p1'), 1],
    ['past the end', token('b/p3'), 2, [], undefined, undefined],
  ];
  it.each(cases)('%s', (_what, cont, limit, want, next, remaining) => {
    const page = paginate(items, cont, limit);
    expect(names(page.items)).toEqual(want);
    expect(page.next).toBe(next);
    expect(page.remaining).toBe(remaining);
  });
});
