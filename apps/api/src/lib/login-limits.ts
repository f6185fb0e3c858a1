// Sign-in attempt limits (rate-limiter-flexible, in this process's memory): per client IP and
// account (LOGIN_RATE_LIMIT_PER_MINUTE, against guessing one password) and per client IP across
// accounts (LOGIN_CLIENT_RATE_LIMIT_PER_MINUTE, against password spraying). Every attempt takes a
// point from both buckets when it arrives, so a parallel burst is limited too; a successful sign-in
// gives its points back, so a class signing in from behind one school NAT is never refused, and only
// wrong or malformed attempts use the budget up.
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { ApiError } from './errors.ts';

/** 429 `RATE_LIMITED`, with the seconds until the next attempt is allowed (for Retry-After). */
export class LoginLimited extends ApiError {
  constructor(
    readonly retryAfterSeconds: number,
    what: string,
  ) {
    super('RATE_LIMITED', `too many sign-in attempts ${what}; try again in ${retryAfterSeconds} s`);
  }
}

/** A claimed attempt: `succeeded()` returns its points. */
export interface LoginAttempt {
  succeeded(): Promise<void>;
}

export interface LoginLimits {
  /** Takes a point for `ip` and for `ip` + `account`, or throws 429 `RATE_LIMITED` with the wait. */
  attempt(ip: string, account: string): Promise<LoginAttempt>;
}

/** `perAccount` and `perClient` attempts per minute. */
export function loginLimits(perAccount: number, perClient: number): LoginLimits {
  const client = new RateLimiterMemory({ keyPrefix: 'login-client', points: perClient, duration: 60 });
  const account = new RateLimiterMemory({ keyPrefix: 'login-account', points: perAccount, duration: 60 });
  const refused = (res: unknown, what: string): never => {
    if (!(res instanceof RateLimiterRes)) throw res;
    throw new LoginLimited(Math.max(1, Math.ceil(res.msBeforeNext / 1000)), what);
  };
  return {
    async attempt(ip, who) {
      const accountKey = `${ip}|${who}`;
      await client.consume(ip).catch((res: unknown) => refused(res, 'from this address'));
      await account.consume(accountKey).catch(async (res: unknown) => {
        await client.reward(ip, 1);
        return refused(res, 'for this account');
      });
      return {
        async succeeded() {
          await Promise.all([client.reward(ip, 1), account.reward(accountKey, 1)]);
        },
      };
    },
  };
}
