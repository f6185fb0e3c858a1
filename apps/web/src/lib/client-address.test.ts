import { describe, expect, it } from 'vitest';
import { clientAddress, trustedHops } from './client-address';

describe('clientAddress (the X-Forwarded-For the web proxy sends to the api)', () => {
  it('directly exposed: the peer address, whatever the browser wrote in X-Forwarded-For', () => {
    expect(clientAddress('6.6.6.6', '203.0.113.9', 0)).toBe('203.0.113.9');
    expect(clientAddress(['1.1.1.1, 2.2.2.2'], '203.0.113.9', 0)).toBe('203.0.113.9');
    expect(clientAddress(undefined, '203.0.113.9', 0)).toBe('203.0.113.9');
  });
  it('behind one trusted proxy: the entry that proxy appended, not the browser-written ones before it', () => {
    expect(clientAddress('6.6.6.6, 198.51.100.4', '10.0.0.2', 1)).toBe('198.51.100.4');
    expect(clientAddress('198.51.100.4', '10.0.0.2', 1)).toBe('198.51.100.4');
  });
  it('a chain shorter than the trusted hops falls back to the peer', () => {
    expect(clientAddress('', '10.0.0.2', 2)).toBe('10.0.0.2');
  });
  it('WEB_TRUST_PROXY_HOPS is read as a non-negative integer', () => {
    expect([
      trustedHops({}),
      trustedHops({ WEB_TRUST_PROXY_HOPS: '2' }),
      trustedHops({ WEB_TRUST_PROXY_HOPS: 'x' }),
    ]).toEqual([0, 2, 0]);
  });
});
