import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { changeRole, setMemberDisabled, updateMemberAccess } from "@/app/settings/members/actions";
import { inviteMember, revokePendingInvite } from "@/app/settings/members/invite-actions";
import { listAudit } from "@/lib/audit";
import { findPendingInvite, listPendingInvites } from "@/lib/auth/invites";
import { can } from "@/lib/auth/permissions";
import { createSession } from "@/lib/auth/sessions";
import { findUserById, listUsers, setDisabled, type AppUser } from "@/lib/auth/users";
import type { Database } from "@/lib/db";
import { sessions } from "@/lib/db/schema";
import { createWorkspace, findWorkspaceFor } from "@/lib/workspaces";

import { openTestDatabase } from "../support/db";
import { createAdmin, createMember } from "../support/factories";
import { form, signedInAs, switchSession } from "../support/request";

// The members page's server actions against a real database, with the session and request
// stubbed (tests/support/request.ts): who is signed in and the headers the request arrived with.
vi.mock("@/lib/auth/guards", () => import("../support/request").then((m) => m.guards));
vi.mock("next/headers", () => import("../support/request").then((m) => m.nextHeaders));
vi.mock("next/cache", () => import("../support/request").then((m) => m.nextCache));

// Each test gets its own database: "the last active admin" counts every admin in it.
let handle: Awaited<ReturnType<typeof openTestDatabase>>;
let db: Database;
let admin: AppUser;
let member: AppUser;
beforeEach(async () => {
  handle = await openTestDatabase();
  db = handle.db;
  admin = await createAdmin(db, { email: "admin@example.com", name: "Ada" });
  member = await createMember(db, { email: "member@example.com", name: "Max" });
  signedInAs(admin, await createSession(db, admin.id, null));
});
afterEach(() => handle.dispose());

const lastEvent = async () => (await listAudit(db, 1, 1)).rows[0];

describe("members settings actions", () => {
  it("answers bad input with a message instead of throwing", async () => {
    expect(await changeRole(null, form({ userId: member.id, role: "owner" }))).toEqual({
      ok: false,
      error: "Choose a role: admin or member.",
    });
    expect(await changeRole(null, form({ userId: "nope", role: "admin" }))).toMatchObject({ ok: false });
    expect(await inviteMember(null, form({ email: "not-an-email", role: "member" }))).toMatchObject({
      ok: false,
      error: expect.stringContaining("valid email"),
    });
  });

  it("does not let an admin demote or disable themselves", async () => {
    expect(await changeRole(null, form({ userId: admin.id, role: "member" }))).toMatchObject({
      ok: false,
      error: expect.stringContaining("your own role"),
    });
    expect(await setMemberDisabled(null, form({ userId: admin.id, disabled: "true" }))).toMatchObject({
      ok: false,
      error: expect.stringContaining("your own account"),
    });
    expect((await findUserById(db, admin.id))?.role).toBe("admin");
  });

  it("changes a role and records who did it, to whom and from where", async () => {
    expect(await changeRole(null, form({ userId: member.id, role: "admin" }))).toMatchObject({ ok: true });
    expect((await findUserById(db, member.id))?.role).toBe("admin");
    expect(await lastEvent()).toMatchObject({
      action: "user.role_changed",
      actorEmail: "admin@example.com",
      target: "member@example.com",
      detail: { from: "member", to: "admin" },
      ip: "203.0.113.9",
      userAgent: "vitest",
    });
  });

  it("sends a role change from a sign-in older than 15 minutes to the password confirmation, changing nothing", async () => {
    const stale = await createSession(db, admin.id, null);
    await db
      .update(sessions)
      .set({ confirmedAt: new Date(Date.now() - 16 * 60_000) })
      .where(eq(sessions.id, stale));
    switchSession(stale);
    const error = await changeRole(null, form({ userId: member.id, role: "admin" })).catch((e: unknown) => e);
    expect(String((error as { digest?: string }).digest)).toContain("/account/confirm?next=%2Fsettings%2Fmembers");
    expect((await findUserById(db, member.id))?.role).toBe("member");
  });

  it("keeps the last active admin (the acting admin was disabled in the meantime)", async () => {
    expect(await changeRole(null, form({ userId: member.id, role: "admin" }))).toMatchObject({ ok: true });
    await setDisabled(db, admin.id, true);
    // Disabling ended the admin's sessions; the stubbed sign-in goes on with a new one.
    switchSession(await createSession(db, admin.id, null));
    try {
      const result = await changeRole(null, form({ userId: member.id, role: "member" }));
      expect(result).toMatchObject({ ok: false, error: expect.stringContaining("last active admin") });
      expect(await setMemberDisabled(null, form({ userId: member.id, disabled: "true" }))).toMatchObject({ ok: false });
    } finally {
      await setDisabled(db, admin.id, false);
    }
    expect(await changeRole(null, form({ userId: member.id, role: "member" }))).toMatchObject({ ok: true });
  });

  it("disables and enables a member, with an audit event each", async () => {
    expect(await setMemberDisabled(null, form({ userId: member.id, disabled: "true" }))).toMatchObject({ ok: true });
    expect((await findUserById(db, member.id))?.disabled).toBe(true);
    expect(await lastEvent()).toMatchObject({ action: "user.disabled", target: "member@example.com" });
    expect(await setMemberDisabled(null, form({ userId: member.id, disabled: "false" }))).toMatchObject({ ok: true });
    expect(await lastEvent()).toMatchObject({ action: "user.enabled" });
  });

  it("saves workspace access as one grant or revoke per change", async () => {
    const a = await createWorkspace(db, {
      slug: "sales",
      name: "Sales",
      baseUrl: "http://127.0.0.1:9",
      apiKey: "sk_test_aaaaaaaa",
      trilletWorkspaceId: "ws_a",
    });
    const b = await createWorkspace(db, {
      slug: "support",
      name: "Support",
      baseUrl: "http://127.0.0.1:9",
      apiKey: "sk_test_bbbbbbbb",
      trilletWorkspaceId: "ws_b",
    });
    expect(await updateMemberAccess(null, form({ userId: member.id, workspaceIds: [a.id, b.id] }))).toMatchObject({ ok: true });
    expect(await updateMemberAccess(null, form({ userId: member.id, workspaceIds: [b.id] }))).toMatchObject({ ok: true });
    const mine = (await listUsers(db)).find((u) => u.id === member.id);
    expect(mine?.workspaceIds).toEqual([b.id]);
    const events = (await listAudit(db, 1, 3)).rows.map((r) => `${r.action} ${String(r.detail.workspace)}`);
    expect(events.sort()).toEqual(["access.granted sales", "access.granted support", "access.revoked sales"]);
    expect(await updateMemberAccess(null, form({ userId: member.id, workspaceIds: [crypto.randomUUID()] }))).toMatchObject({ ok: false });
  });

  it("grants starting and cancelling batches per workspace, only where the member has access", async () => {
    const c = await createWorkspace(db, {
      slug: "calls",
      name: "Calls",
      baseUrl: "http://127.0.0.1:9",
      apiKey: "sk_test_cccccccc",
      trilletWorkspaceId: "ws_c",
    });
    const d = await createWorkspace(db, {
      slug: "other",
      name: "Other",
      baseUrl: "http://127.0.0.1:9",
      apiKey: "sk_test_dddddddd",
      trilletWorkspaceId: "ws_d",
    });
    const result = await updateMemberAccess(
      null,
      form({ userId: member.id, workspaceIds: [c.id], grants: [`${c.id}:batches.start`, `${d.id}:batches.cancel`] }),
    );
    expect(result).toMatchObject({ ok: true });
    const mine = (await listUsers(db)).find((u) => u.id === member.id)!;
    // The grant for a workspace without access is dropped.
    expect(mine.grants).toEqual({ [c.id]: ["batches.start"] });
    const seen = await findWorkspaceFor(db, member, "calls");
    expect(can(member, "batches.start", seen?.grants)).toBe(true);
    expect(can(member, "batches.cancel", seen?.grants)).toBe(false);
    expect(await lastEvent()).toMatchObject({
      action: "access.permissions_changed",
      target: member.email,
      detail: { workspace: "calls", permissions: ["batches.start"] },
    });
    expect(
      await updateMemberAccess(null, form({ userId: member.id, workspaceIds: [c.id], grants: [`${c.id}:members.manage`] })),
    ).toMatchObject({ ok: false });
    expect(await updateMemberAccess(null, form({ userId: member.id, workspaceIds: [c.id] }))).toMatchObject({ ok: true });
    expect((await listUsers(db)).find((u) => u.id === member.id)!.grants).toEqual({ [c.id]: [] });
  });

  it("returns the invite link once, built from the request's origin, and never records its token", async () => {
    const result = await inviteMember(null, form({ email: " New@Example.com ", role: "admin" }));
    if (!result?.ok) throw new Error(`invite failed: ${JSON.stringify(result)}`);
    const match = /^https:\/\/board\.example\.com\/invite\/([A-Za-z0-9_-]+)$/.exec(result.data.link);
    const token = match?.[1];
    expect(token).toBeTruthy();
    expect(await findPendingInvite(db, token!)).toMatchObject({ email: "new@example.com" });
    const event = await lastEvent();
    expect(event).toMatchObject({ action: "invite.created", target: "new@example.com", detail: { role: "admin", workspaces: "all" } });
    expect(JSON.stringify(event)).not.toContain(token);

    expect(await inviteMember(null, form({ email: "new@example.com", role: "admin" }))).toMatchObject({
      ok: false,
      error: expect.stringContaining("pending invite"),
    });
    expect(await inviteMember(null, form({ email: "member@example.com", role: "member" }))).toMatchObject({
      ok: false,
      error: "A member with this email already exists.",
    });
  });

  it("revokes a pending invite once", async () => {
    expect(await inviteMember(null, form({ email: "new@example.com", role: "admin" }))).toMatchObject({ ok: true });
    const [invite] = await listPendingInvites(db);
    expect(await revokePendingInvite(null, form({ inviteId: invite!.id }))).toMatchObject({ ok: true });
    expect(await lastEvent()).toMatchObject({ action: "invite.revoked", target: invite!.email });
    expect(await revokePendingInvite(null, form({ inviteId: invite!.id }))).toMatchObject({ ok: false });
  });
});
