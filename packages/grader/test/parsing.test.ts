import { describe, expect, it } from 'vitest';
import { interpretStatus } from '../src/kube/exec.ts';
import { parseGetent, parseNslookup } from '../src/primitives/headless-dns.ts';
import { firstMismatch } from '../src/primitives/object-matches.ts';
import { toClusterError } from '../src/errors.ts';

describe('exec status', () => {
  it('tells a command that ran and failed from one that could not start', () => {
    expect(interpretStatus({ status: 'Success' })).toEqual({ exitCode: 0 });
    expect(
      interpretStatus({
        status: 'Failure',
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: '2' }] },
      }),
    ).toEqual({ exitCode: 2 });
    expect(
      interpretStatus({
        status: 'Failure',
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: '127' }] },
        message: 'not found',
      }),
    ).toEqual({ notStarted: 'not found' });
    expect(
      interpretStatus({
        status: 'Failure',
        message: 'OCI runtime exec failed: exec: "nslookup": executable file not found in $PATH',
      }),
    ).toEqual({
      notStarted: 'OCI runtime exec failed: exec: "nslookup": executable file not found in $PATH',
    });
  });
});

describe('resolver output', () => {
  it('reads IPs from getent and nslookup, ignoring the DNS server lines', () => {
    expect(parseGetent('10.244.1.5      sts-0.redis.ns.svc.cluster.local\n')).toEqual(['10.244.1.5']);
    expect(parseGetent('')).toEqual([]);
    const ns =
      'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tsts-0.redis.ns.svc.cluster.local\nAddress: 10.244.1.5\n';
    expect(parseNslookup(ns)).toEqual(['10.244.1.5']);
    expect(
      parseNslookup("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n** server can't find x: NXDOMAIN\n"),
    ).toEqual([]);
  });
});

describe('object-matches', () => {
  it('matches partially, lists element-wise, quantities as quantities', () => {
    const obj = {
      spec: {
        capacity: { storage: '67108864' },
        accessModes: ['ReadWriteMany'],
        claimRef: { name: 'a', namespace: 'b', uid: 'u' },
      },
    };
    expect(
      firstMismatch({ spec: { capacity: { storage: '64Mi' }, claimRef: { name: 'a' } } }, obj),
    ).toBeUndefined();
    expect(firstMismatch({ spec: { accessModes: ['ReadWriteOnce'] } }, obj)).toEqual({
      path: 'spec.accessModes[0]',
      expected: 'ReadWriteOnce',
      found: 'ReadWriteMany',
    });
    expect(firstMismatch({ spec: { accessModes: ['ReadWriteMany', 'ReadOnlyMany'] } }, obj)?.path).toBe(
      'spec.accessModes',
    );
    expect(firstMismatch({ spec: { claimRef: { namespace: 'c' } } }, obj)).toEqual({
      path: 'spec.claimRef.namespace',
      expected: 'c',
      found: 'b',
    });
    expect(firstMismatch({ status: { phase: 'Bound' } }, obj)).toEqual({
      path: 'status',
      expected: { phase: 'Bound' },
      found: null,
    });
  });
});

describe('cluster errors', () => {
  it('classifies what the client throws; none of it is the student', () => {
    expect(toClusterError({ code: 403, message: 'Forbidden' }, 'list pods').kind).toBe('forbidden');
    expect(toClusterError({ code: 503, message: 'x' }, 'list pods').kind).toBe('server');
    expect(toClusterError({ code: 429, message: 'x' }, 'list pods').kind).toBe('throttled');
    expect(
      toClusterError(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
        'list pods',
      ).kind,
    ).toBe('unreachable');
    expect(
      toClusterError(
        Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }),
        'list pods',
      ).kind,
    ).toBe('timeout');
  });
});
