// Webhook signature schemes: GitHub's X-Hub-Signature-256 and Standard Webhooks' webhook-signature.
// Both compare HMAC-SHA256 digests with crypto.timingSafeEqual.
import { createHmac, timingSafeEqual } from 'node:crypto';

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The key bytes of a secret for Standard Webhooks: base64 after `whsec_` (else the raw string). */
export function standardKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
}

/** `sha256=<hex>` as GitHub sends it; the key is the secret string exactly as configured there. */
export function signGithub(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Whether `header` is a valid X-Hub-Signature-256 of `body` under `secret`. */
export function verifyGithub(secret: string, body: Buffer, header: string): boolean {
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!m?.[1]) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return safeEqual(expected, Buffer.from(m[1], 'hex'));
}

/** `v1,<base64>` for Standard Webhooks: HMAC-SHA256 of `${id}.${timestamp}.${body}`. */
export function signStandard(secret: string, id: string, timestamp: string, body: Buffer | string): string {
  const mac = createHmac('sha256', standardKey(secret)).update(`${id}.${timestamp}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

/** Whether any `v1,<sig>` in the space-separated `header` matches. */
export function verifyStandard(secret: string, id: string, timestamp: string, body: Buffer, header: string): boolean {
  const expected = createHmac('sha256', standardKey(secret)).update(`${id}.${timestamp}.`).update(body).digest();
  return header
    .split(' ')
    .filter(Boolean)
    .some((part) => {
      const [version, sig] = part.split(',', 2);
      return version === 'v1' && !!sig && safeEqual(expected, Buffer.from(sig, 'base64'));
    });
}
