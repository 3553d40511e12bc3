import { randomBytes, scryptSync } from "node:crypto";

import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { checkPasswordSignIn } from "@/lib/auth/password-check";
import { createUser } from "@/lib/auth/users";
import { users } from "@/lib/db/schema";
import { checkPassword, hashPassword, SCRYPT_PARAMS } from "@/lib/security/password";

import { usingPostgres } from "../support/db";
import { db, setUpDatabase } from "../support/harness";

setUpDatabase();

/** A hash in the stored format with the parameters Batchboard used before (N=2^15). */
function legacyHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize("NFKC"), salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 96 * 1024 * 1024 });
  return `scrypt$32768$8$1$${salt.toString("base64")}$${key.toString("base64")}`;
}

describe(`password hashing (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("hashes with OWASP's scrypt cost (N=2^17, r=8, p=1), recorded in the hash", async () => {
    expect(SCRYPT_PARAMS).toEqual({ N: 131_072, r: 8, p: 1 });
    const hash = await hashPassword("correct horse battery");
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(await checkPassword("correct horse battery", hash)).toEqual({ ok: true, needsRehash: false });
  });

  it("still verifies an old-parameter hash, and replaces it at the next successful sign-in", async () => {
    const user = await createUser(db, { email: "old@example.com", role: "member" });
    const old = legacyHash("correct horse battery");
    await db.update(users).set({ passwordHash: old }).where(eq(users.id, user.id));
    expect(await checkPassword("correct horse battery", old)).toEqual({ ok: true, needsRehash: true });
    // A wrong password changes nothing.
    expect((await checkPasswordSignIn(db, "old@example.com", "not it at all", { ip: "192.0.2.1", userAgent: null })).outcome).toBe(
      "failed",
    );
    expect((await db.select().from(users).where(eq(users.id, user.id)))[0]!.passwordHash).toBe(old);
    expect((await checkPasswordSignIn(db, "old@example.com", "correct horse battery", { ip: "192.0.2.1", userAgent: null })).outcome).toBe(
      "ok",
    );
    const now = (await db.select().from(users).where(eq(users.id, user.id)))[0]!.passwordHash!;
    expect(now).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(await checkPassword("correct horse battery", now)).toEqual({ ok: true, needsRehash: false });
  }, 60_000);

  it("refuses a stored hash with absurd parameters instead of running them", async () => {
    expect(await checkPassword("x", "scrypt$1073741824$8$1$AAAA$AAAA")).toEqual({ ok: false, needsRehash: false });
  });
});
