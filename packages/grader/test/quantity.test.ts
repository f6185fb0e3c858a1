import { describe, expect, it } from 'vitest';
import { compareQuantities, isSubset, parseQuantity, quantitiesEqual, sameSet } from '../src/quantity.ts';

describe('quantities', () => {
  it('compares binary, decimal and plain forms by value', () => {
    expect(quantitiesEqual('64Mi', '67108864')).toBe(true);
    expect(quantitiesEqual('64Mi', 67108864)).toBe(true);
    expect(quantitiesEqual('1Gi', '1024Mi')).toBe(true);
    expect(quantitiesEqual('1G', '1000M')).toBe(true);
    expect(quantitiesEqual('0.5Gi', '512Mi')).toBe(true);
    expect(quantitiesEqual('1e3', '1k')).toBe(true);
    expect(quantitiesEqual('100m', '0.1')).toBe(true);
    expect(quantitiesEqual('64Mi', '64M')).toBe(false);
    expect(quantitiesEqual('64Mi', '32Mi')).toBe(false);
  });
  it('orders quantities and rejects non-quantities', () => {
    expect(compareQuantities('32Mi', '64Mi')).toBe(-1);
    expect(compareQuantities('1Gi', '64Mi')).toBe(1);
    expect(compareQuantities('64Mi', 'lots')).toBeUndefined();
    expect(parseQuantity('64MiB')).toBeUndefined();
    expect(parseQuantity('')).toBeUndefined();
    expect(quantitiesEqual(undefined, '64Mi')).toBe(false);
  });
  it('compares access modes as sets', () => {
    expect(sameSet(['ReadWriteMany', 'ReadWriteOnce'], ['ReadWriteOnce', 'ReadWriteMany'])).toBe(true);
    expect(sameSet(['ReadWriteMany'], ['ReadWriteMany', 'ReadWriteMany'])).toBe(true);
    expect(sameSet(['ReadWriteOnce'], ['ReadWriteMany'])).toBe(false);
    expect(sameSet(['ReadWriteMany'], ['ReadWriteMany', 'ReadOnlyMany'])).toBe(false);
    expect(isSubset(['ReadWriteOnce'], ['ReadWriteMany', 'ReadWriteOnce'])).toBe(true);
    expect(isSubset(['ReadWriteMany'], ['ReadWriteOnce'])).toBe(false);
  });
});
