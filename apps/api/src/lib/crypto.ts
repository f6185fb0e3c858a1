// Secrets at rest and one-time tokens: AES-256-GCM for webhook secrets (HMAC needs the secret
// itself, so it cannot be hashed), sha256 for tokens that are only ever compared.
import { createHash, randomBytes } from 'node:crypto';

// seal/unseal live in @kubegrade/db, which the worker shares (it signs outbound events).
export { seal, unseal, type Sealed } from '@kubegrade/db';

/** A new webhook secret in the Standard Webhooks form `whsec_<base64 of 32 random bytes>`. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** A URL-safe random token (for one-time links). */
export function newToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** sha256 hex of a token, which is what the database keeps. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
