import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, STATIC_SECURITY_HEADERS, webSocketSources } from './security-headers';

describe('security headers', () => {
  it('the CSP runs no inline script without the nonce and forbids framing', () => {
    const csp = contentSecurityPolicy({ nonce: 'abc123', connect: ['ws://h:4000'] });
    const d = Object.fromEntries(csp.split('; ').map((x) => [x.split(' ')[0], x.split(' ').slice(1)]));
    expect({
      script: d['script-src'],
      frame: d['frame-ancestors'],
      connect: d['connect-src'],
      object: d['object-src'],
    }).toEqual({
      script: ["'self'", "'nonce-abc123'", "'strict-dynamic'"],
      frame: ["'none'"],
      connect: ["'self'", 'ws://h:4000'],
      object: ["'none'"],
    });
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  });
  it('the WebSocket source follows the page host and API_PUBLIC_PORT, or API_WS_URL', () => {
    expect(webSocketSources({ API_PUBLIC_PORT: '4100' }, 'grade.example.edu:3000')).toEqual([
      'ws://grade.example.edu:4100',
      'wss://grade.example.edu:4100',
    ]);
    expect(webSocketSources({ API_WS_URL: 'wss://api.example.edu/graphql' }, 'x')).toEqual([
      'wss://api.example.edu',
    ]);
  });
  it('nosniff and a referrer policy are sent', () => {
    expect(Object.fromEntries(STATIC_SECURITY_HEADERS.map((h) => [h.key, h.value]))).toMatchObject({
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
    });
  });
});
