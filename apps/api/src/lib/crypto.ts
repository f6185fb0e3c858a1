// Secrets at rest and one-time tokens: AES-256-GCM for webhook secrets (HMAC needs the secret
// itself, so it cannot be hashed), sha256 for tokens that are only ever compared.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** A secret encrypted with AES-256-GCM. */
export interface Sealed {
  ciphertext: Uint8Array<ArrayBuffer>;
  iv: Uint8Array<ArrayBuffer>;
  tag: Uint8Array<ArrayBuffer>;
}

/** Encrypts `plaintext` with the 32-byte `key`. */
export function seal(key: Buffer, plaintext: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { ciphertext: new Uint8Array(ciphertext), iv: new Uint8Array(iv), tag: new Uint8Array(cipher.getAuthTag()) };
}

/** Decrypts what `seal` produced; throws when the key is wrong or the data was altered. */
export function unseal(key: Buffer, sealed: { ciphertext: Uint8Array; iv: Uint8Array; tag: Uint8Array }): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv));
  decipher.setAuthTag(Buffer.from(sealed.tag));
  return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext)), decipher.final()]).toString('utf8');
}

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
