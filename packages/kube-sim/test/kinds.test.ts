// The kinds as pure strategy objects (kinds/<kind>.ts): the registry, name rules and graceful
// deletion, checked on tables.

import { describe, expect, it } from 'vitest';
import { KINDS, kindNamed, kindOf, type DeleteOptions } from '../src/kinds/index.ts';
import { findResource, RESOURCES } from '../src/resources.ts';
import type { KubeObject } from '../src/runtime-contract.ts';
import { validateObjectMeta } from '../src/validation.ts';

describe('the kind registry', () => {
  it('serves each kind once, in discovery order, found by plural, kind name and resource', () => {
    expect(RESOURCES.map((r) => r.plural)).toEqual([
      'namespaces',
      'nodes',
      'persistentvolumes',
      'persistentvolumeclaims',
      'pods',
      'services',
      'endpoints',
      'events',
      'statefulsets',
      'storageclasses',
      'endpointslices',
    ]);
    expect(new Set(KINDS.map((k) => k.resource.kind)).size).toBe(KINDS.length);
    for (const k of KINDS) {
      expect(findResource(k.resource.plural)).toBe(k.resource);
      expect(kindNamed(k.resource.kind)).toBe(k);
      expect(kindOf(k.resource)).toBe(k);
    }
    expect(kindNamed('ConfigMap')).toBeUndefined();
  });
});

describe('name rules', () => {
  const cases: [string, string, boolean][] = [
    ['Pod', 'redis-0', true],
    ['Pod', 'redis.0', true],
    ['Pod', 'Redis', false],
    ['Namespace', 'shiqi', true],
    ['Namespace', 'shi.qi', false],
    ['Service', 'redis', true],
    ['Service', '0redis', false],
    ['StatefulSet', 'statefulset-redis', true],
    ['StatefulSet', 'statefulset.redis', false],
    ['PersistentVolume', 'pv.shiqi', true],
    ['PersistentVolume', 'pv_shiqi', false],
    ['Event', 'redis-0.18c1a2b3c4d5e6f7', true],
    ['Event', 'Anything_Goes', true],
    ['StorageClass', '', false],
  ];
  it.each(cases)('%s %j valid: %s', (kind, name, valid) => {
    const k = kindNamed(kind)!;
    const obj = { apiVersion: 'v1', kind, metadata: { name, uid: '' } } as KubeObject;
    const causes = validateObjectMeta(obj, k.validateName ? (n) => k.validateName!(n) : undefined);
    expect(causes.length === 0).toBe(valid);
  });
});

describe('graceful deletion of a pod', () => {
  const pod = kindNamed('Pod')!;
  const at = (meta: Record<string, unknown>, spec: Record<string, unknown> = { nodeName: 'kube-sim-node' }) =>
    ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', uid: 'u', ...meta }, spec }) as KubeObject;
  const cases: [string, KubeObject, DeleteOptions, string[], string, number | undefined][] = [
    [
      'a scheduled pod waits its terminationGracePeriodSeconds',
      at({}, { nodeName: 'n', terminationGracePeriodSeconds: 10 }),
      {},
      [],
      'store',
      10,
    ],
    ['the default grace is 30 s', at({}), {}, [], 'store', 30],
    ['gracePeriodSeconds wins', at({}), { gracePeriodSeconds: 5 }, [], 'store', 5],
    ['a pod never scheduled goes at once', at({}, {}), {}, [], 'remove', undefined],
    ['grace 0 without finalizers goes at once', at({}), { gracePeriodSeconds: 0 }, [], 'remove', undefined],
    ['grace 0 with a finalizer stays, terminating', at({}), { gracePeriodSeconds: 0 }, ['x'], 'store', 0],
    [
      'a second delete with a longer grace changes nothing',
      at({ deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 10 }),
      { gracePeriodSeconds: 30 },
      [],
      'unchanged',
      10,
    ],
    [
      'a second delete with a shorter grace shortens it',
      at({ deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 }),
      { gracePeriodSeconds: 5 },
      [],
      'store',
      5,
    ],
  ];
  it.each(cases)('%s', (_what, obj, opts, finalizers, decision, grace) => {
    const next = structuredClone(obj);
    expect(pod.onDelete!(next, { opts, finalizers: new Set(finalizers) })).toBe(decision);
    if (decision === 'store') {
      expect(next.metadata.deletionGracePeriodSeconds).toBe(grace);
      expect(next.metadata.deletionTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      if (finalizers.length) expect(next.metadata.finalizers).toEqual(finalizers);
    } else expect(next.metadata.deletionGracePeriodSeconds).toBe(grace);
  });
});
