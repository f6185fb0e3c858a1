// The client address the web app hands to the api. The api counts sign-in attempts per client IP
// and trusts exactly one proxy hop (this app), so the X-Forwarded-For the api receives must be an
// address this server determined, never one the browser wrote: a browser-sent X-Forwarded-For is
// replaced, on every request, by the connection's peer address (or, with WEB_TRUST_PROXY_HOPS=n,
// by the address the n-th trusted proxy in front of this server appended).
import { Server, type IncomingMessage } from 'node:http';

/** The client's address: the peer, or the entry appended by the nearest of `trustedHops` proxies. */
export function clientAddress(
  forwardedFor: string | string[] | undefined,
  peer: string | undefined,
  trustedHops: number,
): string {
  const raw = Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '');
  const chain = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const fromProxies = trustedHops > 0 ? chain[chain.length - trustedHops] : undefined;
  return fromProxies ?? peer ?? '';
}

/** WEB_TRUST_PROXY_HOPS: how many proxies (a TLS terminator, a load balancer) stand in front of this server. */
export function trustedHops(env: Record<string, string | undefined> = process.env): number {
  const n = Number(env.WEB_TRUST_PROXY_HOPS ?? 0);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

let installed = false;

/**
 * Rewrites X-Forwarded-For on every incoming request of this process's HTTP servers before Next
 * sees it (Next only fills the header in when it is absent, so a browser could otherwise choose it).
 */
export function installClientAddress(): void {
  if (installed) return;
  installed = true;
  const hops = trustedHops();
  const emit = Server.prototype.emit;
  Server.prototype.emit = function (this: Server, event: string | symbol, ...args: unknown[]) {
    if (event === 'request') {
      const req = args[0] as IncomingMessage;
      req.headers['x-forwarded-for'] = clientAddress(
        req.headers['x-forwarded-for'],
        req.socket?.remoteAddress,
        hops,
      );
    }
    return (emit as (this: Server, event: string | symbol, ...rest: unknown[]) => boolean).call(
      this,
      event,
      ...args,
    );
  } as typeof emit;
}
