// Secrets at rest: AES-256-GCM with the deployment's WEBHOOK_ENCRYPTION_KEY. Signing needs the
// secret itself (inbound webhook secrets, outbound event endpoint secrets), so it cannot be hashed.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

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
  return {
    ciphertext: new Uint8Array(ciphertext),
    iv: new Uint8Array(iv),
    tag: new Uint8Array(cipher.getAuthTag()),
  };
}

/** Decrypts what `seal` produced; throws when the key is wrong or the data was altered. */
export function unseal(
  key: Buffer,
  sealed: { ciphertext: Uint8Array; iv: Uint8Array; tag: Uint8Array },
): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv));
  decipher.setAuthTag(Buffer.from(sealed.tag));
  return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext)), decipher.final()]).toString('utf8');
}
