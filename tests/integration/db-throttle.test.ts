import { count, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { acceptInviteWithPassword, createInvite } from "@/lib/auth/invites";
import { checkCurrentPassword, checkPasswordSignIn } from "@/lib/auth/password-check";
import { requestInfoFromHeaders } from "@/lib/auth/request-info";
import { issueSetupToken, setupFirstAdmin } from "@/lib/auth/setup";
import { ACCOUNT, ADDRESS, attemptBlockedFor, beginAttempt, PAIR, purgeExpiredThrottle } from "@/lib/auth/throttle";
import { createUser, findCredentials } from "@/lib/auth/users";
import { auditEvents, rateLimits } from "@/lib/db/schema";
import { PEER_HEADER, stampPeer } from "@/lib/http/client-address";
import { scryptStats } from "@/lib/security/password";

import { usingPostgres } from "../support/db";
import { db, setUpDatabase } from "../support/harness";

setUpDatabase();

const PASSWORD = "correct horse battery";

async function auditCount(action: string, email?: string) {
  const where = email ? sql`${auditEvents.action} = ${action} and ${auditEvents.actorEmail} = ${email}` : eq(auditEvents.action, action);
  const [row] = await db.select({ n: count() }).from(auditEvents).where(where);
  return row?.n ?? 0;
}

/** Headers as the server sees them: stamped with the TCP peer (as instrumentation.ts does), plus what the client sent. */
function headersFrom(peer: string, sent: Record<string, string>): Headers {
  const fake = { headers: { ...sent } as Record<string, string | string[] | undefined>, socket: { remoteAddress: peer } };
  stampPeer(fake as never);
  return new Headers(fake.headers as Record<string, string>);
}

describe(`password attempt throttling (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("50 parallel wrong passwords for one account: at most the free attempts run scrypt, the rest are throttled and audited", async () => {
    await createUser(db, { email: "target@example.com", password: PASSWORD, role: "admin" });
    const before = scryptStats.derivations;
    const request = { ip: "198.51.100.7", userAgent: "vitest" };
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => checkPasswordSignIn(db, "target@example.com", `wrong password ${i}`, request)),
    );
    const evaluated = scryptStats.derivations - before;
    expect(evaluated).toBe(PAIR.free);
    expect(results.filter((r) => r.outcome === "failed")).toHaveLength(PAIR.free);
    expect(results.filter((r) => r.outcome === "throttled")).toHaveLength(50 - PAIR.free);
    expect(await auditCount("auth.sign_in_failed", "target@example.com")).toBe(PAIR.free);
    expect(await auditCount("auth.sign_in_throttled", "target@example.com")).toBe(50 - PAIR.free);
    // Even the right password waits now, from that address...
    expect((await checkPasswordSignIn(db, "target@example.com", PASSWORD, request)).outcome).toBe("throttled");
    // ...but the owner at another address is not locked out: the guessing slowed only the guesser.
    const owner = await checkPasswordSignIn(db, "target@example.com", PASSWORD, { ip: "192.0.2.10", userAgent: "vitest" });
    expect(owner.outcome).toBe("ok");
  }, 60_000);

  it("40 attempts, each with its own X-Forwarded-For, with TRUSTED_PROXIES=0 are throttled as the one TCP peer", async () => {
    const peer = "203.0.113.40";
    const addresses = new Set<string | null>();
    // All at once, as an impatient attacker would; each request claims another client.
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const info = requestInfoFromHeaders(headersFrom(peer, { "x-forwarded-for": `10.9.${i}.${i}` }), 0);
        addresses.add(info.ip);
        return checkPasswordSignIn(db, `nobody${i}@example.com`, "some guess at all", info);
      }),
    );
    const outcomes = results.map((r) => r.outcome);
    expect([...addresses]).toEqual([peer]);
    expect(outcomes.filter((o) => o === "failed")).toHaveLength(ADDRESS.free);
    expect(outcomes.filter((o) => o === "throttled")).toHaveLength(40 - ADDRESS.free);
    // With one trusted proxy, the client is the right-most X-Forwarded-For entry (the one our proxy wrote).
    expect(requestInfoFromHeaders(headersFrom("10.0.0.2", { "x-forwarded-for": "6.6.6.6, 198.51.100.77" }), 1).ip).toBe("198.51.100.77");
  }, 120_000);

  it("grows the delay of an account+address pair instead of locking, and never blocks another address for long", async () => {
    const t0 = new Date("2030-01-01T00:00:00Z");
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    const subject = { account: "slow@example.com", address: "198.51.100.50" };
    for (let i = 0; i < PAIR.free; i++) expect((await beginAttempt(db, subject, t0)).allowed).toBe(true);
    const first = await beginAttempt(db, subject, t0);
    expect(first).toEqual({ allowed: false, retryAfterMs: 30_000 });
    // Refused attempts do not count: hammering does not make the wait longer.
    for (let i = 0; i < 5; i++) await beginAttempt(db, subject, at(10));
    expect(await attemptBlockedFor(db, subject, at(10))).toBe(20_000);
    expect((await beginAttempt(db, subject, at(30))).allowed).toBe(true);
    expect(await beginAttempt(db, subject, at(30))).toEqual({ allowed: false, retryAfterMs: 60_000 });
    expect((await beginAttempt(db, subject, at(90))).allowed).toBe(true);
    expect(await attemptBlockedFor(db, subject, at(90))).toBe(120_000);
    // A colleague at another address tries at once.
    expect((await beginAttempt(db, { ...subject, address: "192.0.2.99" }, at(90))).allowed).toBe(true);
    // Idle past the window: forgotten.
    expect((await beginAttempt(db, subject, at(PAIR.idleMs / 1000 + 200))).allowed).toBe(true);
  });

  it("only slows an account guessed from many addresses: its wait never exceeds the account cap", async () => {
    const now = new Date("2030-02-01T00:00:00Z");
    let longest = 0;
    for (let i = 0; i < 40; i++) {
      const attempt = await beginAttempt(db, { account: "spread@example.com", address: `100.${i}.0.1` }, now);
      if (!attempt.allowed) longest = Math.max(longest, attempt.retryAfterMs);
    }
    expect(longest).toBeGreaterThan(0);
    expect(longest).toBeLessThanOrEqual(ACCOUNT.maxMs);
  });

  it("gives the slots back on success: a correct password resets its pair", async () => {
    await createUser(db, { email: "typo@example.com", password: PASSWORD, role: "member" });
    const request = { ip: "198.51.100.60", userAgent: "vitest" };
    for (let i = 0; i < PAIR.free - 1; i++)
      expect((await checkPasswordSignIn(db, "typo@example.com", "typo typo typo", request)).outcome).toBe("failed");
    expect((await checkPasswordSignIn(db, "typo@example.com", PASSWORD, request)).outcome).toBe("ok");
    for (let i = 0; i < PAIR.free - 1; i++)
      expect((await checkPasswordSignIn(db, "typo@example.com", "typo typo typo", request)).outcome).toBe("failed");
  }, 60_000);

  it("throttles the current-password check of a password change the same way, before scrypt", async () => {
    await createUser(db, { email: "changer@example.com", password: PASSWORD, role: "member" });
    const user = (await findCredentials(db, "changer@example.com"))!.user;
    const request = { ip: "198.51.100.70", userAgent: "vitest" };
    const before = scryptStats.derivations;
    const results = await Promise.all(Array.from({ length: 20 }, () => checkCurrentPassword(db, user, "not my password", request)));
    expect(scryptStats.derivations - before).toBe(PAIR.free);
    expect(results.filter((r) => r.outcome === "throttled")).toHaveLength(20 - PAIR.free);
    // Sign-in and password change share the keys: the same pair is delayed for sign-in too.
    expect((await checkPasswordSignIn(db, "changer@example.com", PASSWORD, request)).outcome).toBe("throttled");
  }, 60_000);

  it("setup and invite forms check their token before hashing anything, and are throttled per address", async () => {
    const request = { ip: "198.51.100.80", userAgent: "vitest" };
    const before = scryptStats.derivations;
    const wrongSetup = await setupFirstAdmin(db, "not-the-token", { email: "x@example.com", name: "", password: PASSWORD }, request);
    expect(wrongSetup).toEqual({ ok: false, error: expect.stringMatching(/setup link is not valid/) });
    const wrongInvite = await acceptInviteWithPassword(db, "not-an-invite", { name: "X", password: PASSWORD }, request);
    expect(wrongInvite).toEqual({ ok: false, error: expect.stringMatching(/invalid, expired or already used/) });
    expect(scryptStats.derivations - before).toBe(0);
    for (let i = 1; i < PAIR.free; i++) await acceptInviteWithPassword(db, `guess-${i}`, { name: "X", password: PASSWORD }, request);
    const throttled = await acceptInviteWithPassword(db, "guess-last", { name: "X", password: PASSWORD }, request);
    expect(throttled).toEqual({ ok: false, error: expect.stringMatching(/^Too many attempts\. Try again in 30 seconds\.$/) });
    // A real invite from another address still works, and only then is a password hashed.
    const admin = await createUser(db, { email: "inviter@example.com", name: "Inviter", role: "admin" });
    const { token } = await createInvite(db, { email: "joiner@example.com", role: "member", workspaceIds: [], createdBy: admin.id });
    const joined = await acceptInviteWithPassword(
      db,
      token,
      { name: "Joiner", password: PASSWORD },
      { ip: "192.0.2.80", userAgent: "vitest" },
    );
    expect(joined).toMatchObject({ ok: true, user: { email: "joiner@example.com" } });
    expect(scryptStats.derivations - before).toBe(1);
    // Setup is already over here (users exist): no setup token is issued.
    expect(await issueSetupToken(db)).toBeNull();
  }, 60_000);

  it("purges expired rows and keeps live ones", async () => {
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 60_000);
    await db.insert(rateLimits).values([
      { key: "test:expired-1", points: 3, expire: past },
      { key: "test:expired-2", points: 9, expire: past, blockedUntil: past },
      { key: "test:live", points: 1, expire: future },
    ]);
    expect(await purgeExpiredThrottle(db)).toBeGreaterThanOrEqual(2);
    const keys = (await db.select({ key: rateLimits.key }).from(rateLimits)).map((r) => r.key);
    expect(keys).toContain("test:live");
    expect(keys).not.toContain("test:expired-1");
    expect(keys).not.toContain("test:expired-2");
  });

  it("a client cannot forge the peer header: without the process secret it is ignored", () => {
    const forged = new Headers({ [PEER_HEADER]: "anything 192.0.2.1", "x-forwarded-for": "192.0.2.2" });
    expect(requestInfoFromHeaders(forged, 0).ip).toBeNull();
  });
});

describe("IPv6 clients", () => {
  it("count by their /64, so rotating through one's own block does not escape the address limit", async () => {
    const now = new Date("2030-03-01T00:00:00Z");
    const outcomes = [];
    for (let i = 0; i < ADDRESS.free + 1; i++) {
      outcomes.push(
        (await beginAttempt(db, { account: `v6-${i}@example.com`, address: `2001:db8:aa:bb::${(i + 1).toString(16)}` }, now)).allowed,
      );
    }
    expect(outcomes.filter((ok) => !ok)).toHaveLength(1);
    expect((await beginAttempt(db, { account: "v6-other@example.com", address: "2001:db8:aa:cc::1" }, now)).allowed).toBe(true);
  });
});
