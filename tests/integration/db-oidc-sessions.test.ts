import { and, eq } from "drizzle-orm";
import type { Profile } from "next-auth";
import { beforeAll, describe, expect, it } from "vitest";

import { confirmationPath, FRESH_SIGN_IN_MS, freshSignInRedirect } from "@/lib/auth/fresh-sign-in";
import { admitOidcUser, emailVerified, findUserByIdentity, oidcIdentityOf, type OidcIdentity } from "@/lib/auth/oidc";
import {
  confirmSession,
  createSession,
  deleteExpiredSessions,
  OIDC_LINK_WINDOW_MS,
  requestOidcLink,
  resolveSession,
  takeOidcLinkRequest,
  TOUCH_EVERY_MS,
  type SessionLimits,
} from "@/lib/auth/sessions";
import { createUser, findUserByEmail } from "@/lib/auth/users";
import { auditEvents, sessions, userIdentities } from "@/lib/db/schema";

import { usingPostgres } from "../support/db";
import { db, setUpDatabase } from "../support/harness";

setUpDatabase();

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const limits: SessionLimits = { idleMs: 12 * HOUR, maxMs: 7 * DAY };
const ISSUER = "https://idp.example";

const identity = (subject: string, email: string, extra: Partial<OidcIdentity> = {}): OidcIdentity => ({
  issuer: ISSUER,
  subject,
  email,
  emailVerified: true,
  name: "Someone",
  ...extra,
});

/** ID token claims as a provider may send them (Auth.js types email_verified as boolean; some send strings). */
const claims = (value: Record<string, unknown>) => value as Profile;

async function auditActions(target: string) {
  const rows = await db
    .select({ action: auditEvents.action, detail: auditEvents.detail })
    .from(auditEvents)
    .where(eq(auditEvents.target, target));
  return rows;
}

describe("email_verified", () => {
  it('is true only for boolean true or the string "true"', () => {
    expect(emailVerified(true)).toBe(true);
    expect(emailVerified("true")).toBe(true);
    for (const no of [false, "false", undefined, null, "", "TRUE", "yes", 1, "1", {}]) expect(emailVerified(no), String(no)).toBe(false);
  });

  it("reads a missing or string claim from the ID token as not verified", () => {
    expect(oidcIdentityOf(claims({ iss: ISSUER, sub: "a", email: "A@Corp.Example" }))).toMatchObject({
      email: "a@corp.example",
      emailVerified: false,
    });
    expect(oidcIdentityOf(claims({ iss: ISSUER, sub: "a", email: "a@corp.example", email_verified: "false" }))?.emailVerified).toBe(false);
    expect(oidcIdentityOf(claims({ iss: ISSUER, sub: "a", email: "a@corp.example", email_verified: "true" }))?.emailVerified).toBe(true);
    expect(oidcIdentityOf(claims({ iss: ISSUER, sub: "", email: "a@corp.example" }), { providerAccountId: "" })).toBeNull();
  });
});

describe(`OIDC identities (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  const domains = { allowedDomains: ["corp.example"] };

  it('refuses an unverified, a claim-less and a "false" email, even in an allowed domain, and audits it', async () => {
    for (const [subject, verified] of [
      ["u-false", false],
      ["u-missing", undefined],
      ["u-string", "false"],
    ] as const) {
      const id = oidcIdentityOf(claims({ iss: ISSUER, sub: subject, email: `${subject}@corp.example`, email_verified: verified }));
      expect(await admitOidcUser(db, id, domains)).toEqual({ ok: false, reason: "unverified" });
      expect(await findUserByEmail(db, `${subject}@corp.example`)).toBeNull();
      expect(await auditActions(`${subject}@corp.example`)).toEqual([
        { action: "auth.oidc_refused", detail: { reason: "unverified", issuer: ISSUER } },
      ]);
    }
  });

  it("admits a verified new user of an allowed domain as a member and links the identity", async () => {
    const outcome = await admitOidcUser(db, identity("new-1", "new@corp.example"), domains);
    expect(outcome).toMatchObject({ ok: true, linked: true, user: { email: "new@corp.example", role: "member" } });
    expect(await findUserByIdentity(db, ISSUER, "new-1")).toMatchObject({ email: "new@corp.example" });
    expect((await auditActions("new@corp.example")).map((r) => r.action)).toContain("auth.oidc_linked");
  });

  it("matches a returning user on issuer and subject after their email changed at the provider", async () => {
    // Admitted once (its own user: the test before may or may not have run).
    expect(await admitOidcUser(db, identity("returning-1", "returning@corp.example"), domains)).toMatchObject({ ok: true, linked: true });
    const before = await findUserByIdentity(db, ISSUER, "returning-1");
    const outcome = await admitOidcUser(db, identity("returning-1", "renamed@elsewhere.example"), { allowedDomains: [] });
    expect(outcome).toMatchObject({ ok: true, linked: false, user: { id: before!.id, email: "returning@corp.example" } });
    const [row] = await db.select().from(userIdentities).where(eq(userIdentities.subject, "returning-1"));
    expect(row).toMatchObject({ userId: before!.id, email: "renamed@elsewhere.example" });
    // Someone else at the provider who now claims the old email is not that user.
    expect(await admitOidcUser(db, identity("returning-2", "returning@corp.example"), domains)).toEqual({
      ok: false,
      reason: "link_required",
    });
    // Nor is the same subject at another issuer.
    expect(
      await admitOidcUser(db, { ...identity("returning-1", "returning@corp.example"), issuer: "https://other-idp.example" }, domains),
    ).toEqual({
      ok: false,
      reason: "link_required",
    });
  });

  it("never signs an identity in as an existing password account whose email it carries", async () => {
    const admin = await createUser(db, { email: "boss@corp.example", password: "correct horse battery", role: "admin" });
    expect(await admitOidcUser(db, identity("attacker", "boss@corp.example"), domains)).toEqual({ ok: false, reason: "link_required" });
    expect(await findUserByIdentity(db, ISSUER, "attacker")).toBeNull();
    const refusals = (await auditActions("boss@corp.example")).filter((r) => r.action === "auth.oidc_refused");
    expect(refusals).toEqual([{ action: "auth.oidc_refused", detail: { reason: "link_required", issuer: ISSUER } }]);
    // Linked by the signed-in owner, the same identity then signs in as the account.
    expect(await admitOidcUser(db, identity("boss-sub", "boss@corp.example"), { ...domains, linkTo: admin })).toMatchObject({
      ok: true,
      linked: true,
      user: { id: admin.id },
    });
    expect(await admitOidcUser(db, identity("boss-sub", "boss@corp.example"), domains)).toMatchObject({ ok: true, user: { id: admin.id } });
    // An identity already linked to someone else is not moved by a link.
    const other = await createUser(db, { email: "other@corp.example", password: "correct horse battery", role: "member" });
    expect(await admitOidcUser(db, identity("boss-sub", "boss@corp.example"), { linkTo: other })).toEqual({
      ok: false,
      reason: "identity_taken",
    });
    expect(await findUserByIdentity(db, ISSUER, "boss-sub")).toMatchObject({ id: admin.id });
    // A link also needs a verified email.
    expect(await admitOidcUser(db, identity("o-sub", "o@x.example", { emailVerified: false }), { linkTo: other })).toEqual({
      ok: false,
      reason: "unverified",
    });
  });

  it("takes a link request of a session once, and only within its window", async () => {
    const user = await createUser(db, { email: "linker@corp.example", password: "correct horse battery", role: "member" });
    const t0 = new Date();
    const sid = await createSession(db, user.id, null, { now: t0 });
    expect(await takeOidcLinkRequest(db, sid, t0)).toBeNull();
    await requestOidcLink(db, sid, t0);
    expect(await takeOidcLinkRequest(db, sid, new Date(t0.getTime() + MIN))).toMatchObject({ id: user.id });
    expect(await takeOidcLinkRequest(db, sid, new Date(t0.getTime() + 2 * MIN))).toBeNull();
    await requestOidcLink(db, sid, t0);
    expect(await takeOidcLinkRequest(db, sid, new Date(t0.getTime() + OIDC_LINK_WINDOW_MS + MIN))).toBeNull();
  });
});

describe(`session lifetime (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  let userId: string;
  beforeAll(async () => {
    userId = (await createUser(db, { email: "sessions@corp.example", password: "correct horse battery", role: "member" })).id;
  });
  const at = (t0: Date, ms: number) => ({ now: new Date(t0.getTime() + ms), limits });

  it("ends a session idle for longer than the idle limit; requests keep it alive", async () => {
    const t0 = new Date();
    const sid = await createSession(db, userId, null, { now: t0, limits });
    expect(await resolveSession(db, sid, at(t0, 11 * HOUR))).not.toBeNull(); // touches last_seen_at
    expect(await resolveSession(db, sid, at(t0, 22 * HOUR))).not.toBeNull(); // 11 h after the last request
    expect(await resolveSession(db, sid, at(t0, 34 * HOUR + MIN))).toBeNull(); // 12 h 1 min idle
  });

  it("never lets a session outlive the idle limit because last_seen_at is written only every 5 minutes", async () => {
    const t0 = new Date();
    const sid = await createSession(db, userId, null, { now: t0, limits });
    // A request 4 minutes in does not write last_seen_at (granularity)...
    expect(await resolveSession(db, sid, at(t0, TOUCH_EVERY_MS - MIN))).not.toBeNull();
    // ...so the session ends 12 h after the last write: at most 5 minutes early, never late.
    expect(await resolveSession(db, sid, at(t0, 12 * HOUR + 1000))).toBeNull();
  });

  it("ends a session at its absolute lifetime however busy, and a shorter setting applies to existing sessions", async () => {
    const t0 = new Date();
    const sid = await createSession(db, userId, null, { now: t0, limits });
    for (let h = 6; h < 7 * 24; h += 6) expect(await resolveSession(db, sid, at(t0, h * HOUR)), `${h} h`).not.toBeNull();
    expect(await resolveSession(db, sid, at(t0, 7 * DAY + MIN))).toBeNull();
    const other = await createSession(db, userId, null, { now: t0, limits });
    expect(await resolveSession(db, other, { now: new Date(t0.getTime() + 2 * DAY), limits: { ...limits, maxMs: DAY } })).toBeNull();
  });

  it("clears rows of idle and expired sessions", async () => {
    const t0 = new Date(Date.now() - 13 * HOUR);
    const idle = await createSession(db, userId, null, { now: t0, limits });
    const live = await createSession(db, userId, null, { limits });
    await deleteExpiredSessions(db, { limits });
    const left = (await db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId))).map((r) => r.id);
    expect(left).toContain(live);
    expect(left).not.toContain(idle);
  });
});

describe(`fresh sign-in for admin changes (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("sends a session whose last proof is older than 15 minutes to the confirmation page, and back after it", async () => {
    const admin = await createUser(db, { email: "fresh@corp.example", password: "correct horse battery", role: "admin" });
    const t0 = new Date();
    const sid = await createSession(db, admin.id, null, { now: t0 });
    const later = (ms: number) => new Date(t0.getTime() + ms);
    expect(await freshSignInRedirect(db, sid, "/settings/members", later(FRESH_SIGN_IN_MS - MIN))).toBeNull();
    expect(await freshSignInRedirect(db, sid, "/settings/members", later(FRESH_SIGN_IN_MS + MIN))).toBe(
      "/account/confirm?next=%2Fsettings%2Fmembers",
    );
    await confirmSession(db, sid, later(FRESH_SIGN_IN_MS + MIN));
    expect(await freshSignInRedirect(db, sid, "/settings/members", later(FRESH_SIGN_IN_MS + 2 * MIN))).toBeNull();
    expect(await freshSignInRedirect(db, "no-such-session", "/settings/members", later(0))).not.toBeNull();
    expect(confirmationPath("//evil.example/x")).toBe("/account/confirm?next=%2F");
    const [row] = await db
      .select({ confirmedAt: sessions.confirmedAt })
      .from(sessions)
      .where(and(eq(sessions.id, sid)));
    expect(row!.confirmedAt.getTime()).toBe(later(FRESH_SIGN_IN_MS + MIN).getTime());
  });
});
