import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { acceptInvite, createInvite, findPendingInvite, InviteError, revokeInvite } from "@/lib/auth/invites";
import { admitOidcUser, type OidcIdentity } from "@/lib/auth/oidc";
import { createSession, deleteUserSessions, resolveSession } from "@/lib/auth/sessions";
import { checkSetupToken, completeSetup, issueSetupToken } from "@/lib/auth/setup";
import { createUser, findCredentials, setDisabled } from "@/lib/auth/users";
import type { Database } from "@/lib/db";
import { sessions } from "@/lib/db/schema";
import { hashPassword, passwordProblem, verifyPassword } from "@/lib/security/password";
import { tokenHash } from "@/lib/security/tokens";
import { findWorkspaceFor } from "@/lib/workspaces";

import { openTestDatabase, usingPostgres } from "../support/db";
import { createAdmin, createTestWorkspace } from "../support/factories";

// A database per test: first-run setup needs one with no user at all, and "the last active
// admin" counts every admin in it.
let handle: Awaited<ReturnType<typeof openTestDatabase>>;
let db: Database;
beforeEach(async () => {
  handle = await openTestDatabase();
  db = handle.db;
});
afterEach(() => handle.dispose());

/** The admin who completed setup. */
const createRoot = () => createAdmin(db, { email: "root@example.com", name: "Root" });

const req = { ip: "203.0.113.7", userAgent: "vitest" };

describe(`auth data layer (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("creates the first admin only with the setup token, and only once", async () => {
    const token = await issueSetupToken(db);
    expect(token).toBeTruthy();
    expect(await checkSetupToken(db, "wrong")).toBe(false);
    expect(await completeSetup(db, "wrong", { email: "x@y.z", name: "", password: "long enough pass" })).toBeNull();
    const admin = await completeSetup(db, token!, { email: " Root@Example.COM ", name: "Root", password: "correct horse battery" });
    expect(admin).toMatchObject({ email: "root@example.com", role: "admin" });
    expect(await completeSetup(db, token!, { email: "b@y.z", name: "", password: "correct horse battery" })).toBeNull();
    expect(await issueSetupToken(db)).toBeNull();
  });

  it("hashes passwords with scrypt and verifies them; never stores the plain text", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(hash).not.toContain("correct horse");
    expect(await verifyPassword("correct horse battery", hash)).toBe(true);
    expect(await verifyPassword("correct horse batterY", hash)).toBe(false);
    expect(await verifyPassword("anything", null)).toBe(false);
    expect(passwordProblem("short")).toMatch(/at least 12/);
    expect(passwordProblem("aaaaaaaaaaaaaaa")).toMatch(/repetitive/);
    expect(passwordProblem("a fine long passphrase")).toBeNull();
  });

  it("ends a session on revoke, on disable, and keeps the current one on request", async () => {
    await createRoot(); // disabling a member needs an active admin left
    const user = await createUser(db, { email: "s@example.com", password: "correct horse battery", role: "member" });
    const a = await createSession(db, user.id, req);
    const b = await createSession(db, user.id, req);
    expect(await resolveSession(db, a)).toMatchObject({ id: user.id, role: "member" });
    await deleteUserSessions(db, user.id, b);
    expect(await resolveSession(db, a)).toBeNull();
    expect(await resolveSession(db, b)).not.toBeNull();
    await setDisabled(db, user.id, true);
    expect(await resolveSession(db, b)).toBeNull();
    const c = await createSession(db, user.id, req);
    expect(await resolveSession(db, c)).toBeNull(); // a disabled user's new session is refused too
    await setDisabled(db, user.id, false);
    const d = await createSession(db, user.id, req);
    await db
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(sql`${sessions.id} = ${d}`);
    expect(await resolveSession(db, d)).toBeNull();
  });

  it("turns an invite into a member exactly once, storing only the token's hash", async () => {
    const admin = await createRoot();
    const ws = await createTestWorkspace(db, { slug: "acme", name: "Acme" });
    const { token } = await createInvite(db, { email: "New@Example.com", role: "member", workspaceIds: [ws.id], createdBy: admin.id });
    const raw = await db.execute(sql`select * from invites`);
    const dump = JSON.stringify(raw);
    expect(dump).not.toContain(token);
    expect(dump).toContain(tokenHash(token));
    expect(await findPendingInvite(db, token)).toMatchObject({ email: "new@example.com", role: "member" });
    const member = await acceptInvite(db, { token }, { name: "New", password: "correct horse battery" });
    expect(member).toMatchObject({ email: "new@example.com", role: "member" });
    expect(await findWorkspaceFor(db, member, "acme")).toMatchObject({ slug: "acme" });
    await expect(acceptInvite(db, { token }, { name: "Again", password: "correct horse battery" })).rejects.toBeInstanceOf(InviteError);
    await expect(createInvite(db, { email: "new@example.com", role: "member", workspaceIds: [], createdBy: admin.id })).rejects.toThrow(
      "already exists",
    );
    const revoked = await createInvite(db, { email: "gone@example.com", role: "admin", workspaceIds: [], createdBy: admin.id });
    expect(await revokeInvite(db, revoked.id)).toBe("gone@example.com");
    expect(await findPendingInvite(db, revoked.token)).toBeNull();
  });

  it("admits OIDC users only when expected: invited, or from an allowed domain; never an existing account by email", async () => {
    const admin = await createRoot();
    await createInvite(db, { email: "sso-invited@example.com", role: "member", workspaceIds: [], createdBy: admin.id });
    const id = (email: string, extra: Partial<OidcIdentity> = {}): OidcIdentity => ({
      issuer: "https://idp.example",
      subject: `sub-${email}`,
      email,
      emailVerified: true,
      name: "",
      ...extra,
    });
    expect(await admitOidcUser(db, id("root@example.com"), { allowedDomains: [] })).toEqual({ ok: false, reason: "link_required" });
    expect(await admitOidcUser(db, id("sso-invited@example.com"), { allowedDomains: [] })).toMatchObject({ ok: true });
    expect(await admitOidcUser(db, id("stranger@corp.example"), { allowedDomains: [] })).toEqual({ ok: false, reason: "not_admitted" });
    expect(await admitOidcUser(db, id("worker@corp.example"), { allowedDomains: ["corp.example"] })).toMatchObject({
      ok: true,
      user: { email: "worker@corp.example", role: "member" },
    });
    expect(await admitOidcUser(db, id("unverified@corp.example", { emailVerified: false }), { allowedDomains: ["corp.example"] })).toEqual({
      ok: false,
      reason: "unverified",
    });
    expect(await admitOidcUser(db, null, { allowedDomains: ["corp.example"] })).toEqual({ ok: false, reason: "invalid" });
  });
});

describe("the last active admin", () => {
  it("cannot be demoted or disabled, even by a direct service call", async () => {
    const { LastAdminError, setRole, setDisabled, countActiveAdmins } = await import("@/lib/auth/users");
    const root = await createRoot();
    expect(await countActiveAdmins(db)).toBe(1);
    await expect(setRole(db, root.id, "member")).rejects.toBeInstanceOf(LastAdminError);
    await expect(setDisabled(db, root.id, true)).rejects.toBeInstanceOf(LastAdminError);
    expect((await findCredentials(db, "root@example.com"))!.user).toMatchObject({ role: "admin", disabled: false });
  });
});
