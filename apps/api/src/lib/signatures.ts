// Webhook signature schemes, each through its own well-kept library: GitHub's X-Hub-Signature-256
// (@octokit/webhooks-methods) and Standard Webhooks' webhook-signature (standardwebhooks, the
// library outbound events are signed with). The timestamp tolerance is Kubegrade's own
// (WEBHOOK_TOLERANCE_SECONDS, checked by the caller), so the Standard Webhooks library is asked for
// the signature of the delivery and compares it with each one sent, not for its fixed 5 minutes.
import { timingSafeEqual } from 'node:crypto';
import { verify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';

/** Whether `header` is a valid X-Hub-Signature-256 of `body` under `secret` (the string as configured at GitHub). */
export async function verifyGithub(secret: string, body: Buffer, header: string): Promise<boolean> {
  if (!secret || body.length === 0 || !header.trim()) return false;
  return verify(secret, body.toString('utf8'), header.trim());
}

/** Whether any `v1,<sig>` in the space-separated `header` signs `${id}.${timestamp}.${body}` under `secret` (`whsec_...`). */
export function verifyStandard(
  secret: string,
  id: string,
  timestamp: string,
  body: Buffer,
  header: string,
): boolean {
  // The library signs whole seconds: a timestamp written any other way cannot be what was signed.
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  const expected = Buffer.from(new Webhook(secret).sign(id, new Date(Number(timestamp) * 1000), body));
  return header
    .split(' ')
    .filter(Boolean)
    .some((part) => {
      const sent = Buffer.from(part);
      return sent.length === expected.length && timingSafeEqual(sent, expected);
    });
}
