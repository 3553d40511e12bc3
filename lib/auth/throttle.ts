import "server-only";
import { RateLimiterDrizzle } from "rate-limiter-flexible";
import type { Database } from "../db";
import { rateLimits } from "../db/schema";

// Failed sign-ins are counted per account and per client address in the database (via
// rate-limiter-flexible), so every app instance sees the same counts.
export const ACCOUNT_FAILURES = 5;
export const ADDRESS_FAILURES = 30;
const WINDOW_S = 15 * 60;

interface Limiters {
  account: RateLimiterDrizzle;
  address: RateLimiterDrizzle;
}

const byDb = new WeakMap<Database, Limiters>();

function limiters(db: Database): Limiters {
  let found = byDb.get(db);
  if (!found) {
    const common = { storeClient: db, schema: rateLimits, duration: WINDOW_S, clearExpiredByTimeout: false };
    found = {
      account: new RateLimiterDrizzle({ ...common, keyPrefix: "signin_account", points: ACCOUNT_FAILURES }),
      address: new RateLimiterDrizzle({ ...common, keyPrefix: "signin_ip", points: ADDRESS_FAILURES }),
    };
    byDb.set(db, found);
  }
  return found;
}

/** Milliseconds until sign-in may be tried again for this account or address; 0 when allowed. */
export async function signInBlockedFor(db: Database, email: string, ip: string | null): Promise<number> {
  const { account, address } = limiters(db);
  const [a, b] = await Promise.all([account.get(email), ip ? address.get(ip) : null]);
  const blocked = (res: typeof a, max: number) => (res && res.consumedPoints >= max ? res.msBeforeNext : 0);
  return Math.max(blocked(a, ACCOUNT_FAILURES), blocked(b, ADDRESS_FAILURES));
}

export async function recordSignInFailure(db: Database, email: string, ip: string | null) {
  const { account, address } = limiters(db);
  // penalty() counts without rejecting: the next attempt's check does the refusing.
  await Promise.all([account.penalty(email, 1), ip ? address.penalty(ip, 1) : null]);
}

export async function clearSignInFailures(db: Database, email: string) {
  await limiters(db).account.delete(email);
}
