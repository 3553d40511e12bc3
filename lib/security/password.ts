import "server-only";

import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

import { COMMON_PASSWORDS_TEXT } from "./common-passwords";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./password-rules";

export { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./password-rules";

// scrypt is memory-hard and ships with Node. OWASP's password storage recommendation (2025):
// N=2^17, r=8, p=1, which uses 128 MiB per hash. The stored hash records its parameters
// (scrypt$N$r$p$salt$key), so hashes made with older, cheaper ones still verify, and a
// successful sign-in rehashes them with these (needsRehash).
export const SCRYPT_PARAMS = { N: 2 ** 17, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
// Node refuses scrypt above maxmem; 128 × N × r bytes plus its working buffers must fit.
const MAX_MEM = 256 * 1024 * 1024;

type Params = { N: number; r: number; p: number };

/** How many scrypt derivations this process ran (tests count them: throttling happens before any). */
export const scryptStats = { derivations: 0 };

function derive(password: string, salt: Buffer, params: Params): Promise<Buffer> {
  scryptStats.derivations++;
  const options: ScryptOptions = { ...params, maxmem: MAX_MEM };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, SCRYPT_PARAMS);
  const { N, r, p } = SCRYPT_PARAMS;
  return `scrypt$${N}$${r}$${p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

const DUMMY_HASH = `scrypt$${SCRYPT_PARAMS.N}$${SCRYPT_PARAMS.r}$${SCRYPT_PARAMS.p}$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`;

/** Parameters a stored hash may carry: a power of two N up to 2^20, small r and p (no DoS by a bad row). */
function parseParams(n: string | undefined, r: string | undefined, p: string | undefined): Params | null {
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const ok =
    Number.isInteger(params.N) &&
    params.N >= 2 &&
    params.N <= 2 ** 20 &&
    (params.N & (params.N - 1)) === 0 &&
    Number.isInteger(params.r) &&
    params.r >= 1 &&
    params.r <= 32 &&
    Number.isInteger(params.p) &&
    params.p >= 1 &&
    params.p <= 4 &&
    128 * params.N * params.r * params.p <= MAX_MEM / 2;
  return ok ? params : null;
}

export interface PasswordCheck {
  ok: boolean;
  /** The hash was made with other parameters than SCRYPT_PARAMS: store a new one. */
  needsRehash: boolean;
}

export async function checkPassword(password: string, stored: string | null): Promise<PasswordCheck> {
  // Without a stored hash we still spend the same work, so timing does not tell whether an account exists.
  const [scheme, n, r, p, salt, hash] = (stored ?? DUMMY_HASH).split("$");
  const params = parseParams(n, r, p);
  if (scheme !== "scrypt" || !salt || !hash || !params) return { ok: false, needsRehash: false };
  const expected = Buffer.from(hash, "base64");
  const actual = await derive(password, Buffer.from(salt, "base64"), params);
  const ok = stored !== null && actual.length === expected.length && timingSafeEqual(actual, expected);
  const current = params.N === SCRYPT_PARAMS.N && params.r === SCRYPT_PARAMS.r && params.p === SCRYPT_PARAMS.p;
  return { ok, needsRehash: ok && !current };
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  return (await checkPassword(password, stored)).ok;
}

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(COMMON_PASSWORDS_TEXT.split("\n").filter(Boolean));
  return common;
}

/**
 * Whether a password is, or is built from, one of the 10,000 most common leaked passwords
 * (common-passwords.ts): the password itself, or with digits and symbols stripped from its ends
 * ("Password2024!"), or one repeated ("qwertyqwerty"), compared without case.
 */
export function isCommonPassword(password: string): boolean {
  const list = commonPasswords();
  const lower = password.normalize("NFKC").toLowerCase();
  if (list.has(lower)) return true;
  const core = lower.replace(/^[^\p{L}]+/u, "").replace(/[^\p{L}]+$/u, "");
  if (core.length >= 3 && list.has(core)) return true;
  for (let size = 1; size <= lower.length / 2; size++) {
    if (lower.length % size === 0 && lower.slice(0, size).repeat(lower.length / size) === lower && list.has(lower.slice(0, size)))
      return true;
  }
  return false;
}

/** A message for a password that is too weak to accept, or null when it is fine. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
  if (new Set(password).size < 4) return "Use a less repetitive password.";
  if (isCommonPassword(password)) {
    return "This password is one of the most common leaked passwords (or one with digits or symbols added). Choose another: a few unrelated words work well.";
  }
  return null;
}
