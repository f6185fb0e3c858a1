// Password hashing: argon2id (the @node-rs/argon2 default) with its recommended costs.
import { hash, verify } from '@node-rs/argon2';

/** Minimum password length accepted anywhere a password is set. */
export const MIN_PASSWORD_LENGTH = 8;

/** An argon2id PHC string for `password`. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

// Verifying against a fixed hash when the user is unknown keeps the response time the same,
// so sign-in does not reveal which emails exist.
let dummyHash: Promise<string> | null = null;

/** Whether `password` matches `passwordHash` (a null hash never matches, in constant-ish time). */
export async function checkPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (!passwordHash) {
    dummyHash ??= hash('kubegrade-dummy-password');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}
