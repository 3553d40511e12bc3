import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";

import { changeAuditRetention } from "@/app/settings/audit/actions";
import { changeRole, setMemberDisabled, updateMemberAccess } from "@/app/settings/members/actions";
import { inviteMember, revokePendingInvite } from "@/app/settings/members/invite-actions";
import { addWorkspace, deleteWorkspace, editWorkspace } from "@/app/settings/workspaces/actions";
import { renameBatch } from "@/app/w/[workspace]/batches/actions";
import { auditRetention, listAudit } from "@/lib/audit";
import { acceptInvite, createInvite, findPendingInviteByEmail } from "@/lib/auth/invites";
import { createSession } from "@/lib/auth/sessions";
import { createUser, findUserByEmail, findUserById, listUsers, type AppUser } from "@/lib/auth/users";
import { auditEvents, invites, sessions, trackedBatches, workspaceAccess, workspaces } from "@/lib/db/schema";
import { createWorkspace, listWorkspaceSettings, setWorkspaceAccess, setWorkspaceGrants } from "@/lib/workspaces";

import { db, setUpDatabase } from "../support/harness";
import { form, signedInAs } from "../support/request";

// Every audited change is written in one transaction with its audit entry: when the entry cannot
// be written, the change must not have happened. A real trigger in the test's own database refuses
// audit entries whose target carries the marker "refuse-audit" (or whose action the test lists in
// refused_audit_actions), and each test checks that the change it asked for left no trace.
vi.mock("@/lib/auth/guards", () => import("../support/request").then((m) => m.guards));
// The recent-sign-in rule for admin changes is checked by the access sweep (db-access-sweep.test.ts).
vi.mock("@/lib/auth/fresh-sign-in", () => import("../support/request").then((m) => m.freshSignIn));
vi.mock("next/headers", () => import("../support/request").then((m) => m.nextHeaders));
vi.mock("next/cache", () => import("../support/request").then((m) => m.nextCache));

const MARK = "refuse-audit";

setUpDatabase();
let admin: AppUser;
beforeAll(async () => {
  await db.execute(sql.raw("CREATE TABLE refused_audit_actions (action text PRIMARY KEY)"));
  await db.execute(
    sql.raw(`CREATE FUNCTION refuse_marked_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(NEW.target, '') LIKE '%${MARK}%' OR EXISTS (SELECT 1 FROM refused_audit_actions WHERE action = NEW.action) THEN
    RAISE EXCEPTION 'audit entry refused by the test';
  END IF;
  RETURN NEW;
END $$`),
  );
  await db.execute(
    sql.raw("CREATE TRIGGER refuse_marked_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_marked_audit()"),
  );
  admin = await createUser(db, { email: "admin@example.com", name: "Ada", role: "admin" });
  signedInAs(admin);
});

/** The promise fails because of the trigger: its message (or a cause's) says so, or its SQL state is RAISE's P0001. */
async function refusedByTrigger(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  const messages: string[] = [];
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    messages.push(String((e as { message?: unknown }).message ?? ""));
  }
  expect(messages.join(" | ")).toMatch(/audit entry refused by the test|SQL state P0001/);
}

const unique = () => crypto.randomUUID().slice(0, 8);
const workspace = (slug: string) =>
  createWorkspace(db, {
    slug,
    name: slug,
    baseUrl: "https://api.trillet.ai",
    apiKey: "sk_live_0000000000000000",
    trilletWorkspaceId: "ws_1",
  });
const entriesAbout = async (target: string) => (await db.select().from(auditEvents).where(eq(auditEvents.target, target))).length;

describe("an audit entry that cannot be written undoes the change it records", () => {
  it("keeps a member's workspace access and permissions exactly as they were", async () => {
    const [a, b, c] = await Promise.all([workspace(`a-${unique()}`), workspace(`b-${unique()}`), workspace(`c-${unique()}`)]);
    const email = `m-${unique()}@${MARK}.test`;
    const member = await createUser(db, { email, role: "member" });
    await setWorkspaceAccess(db, member.id, a.id, true);
    await setWorkspaceGrants(db, member.id, a.id, ["batches.start"]);

    // Revoke a, grant b and c with permissions: several writes, each followed by a refused entry.
    await refusedByTrigger(
      updateMemberAccess(null, form({ userId: member.id, workspaceIds: [b.id, c.id], grants: [`${b.id}:batches.cancel`] })),
    );

    const after = (await listUsers(db)).find((u) => u.id === member.id)!;
    expect(after.workspaceIds).toEqual([a.id]);
    expect(after.grants[a.id]).toEqual(["batches.start"]);
    expect(await entriesAbout(email)).toBe(0);
  });

  it("keeps a role", async () => {
    const email = `r-${unique()}@${MARK}.test`;
    const member = await createUser(db, { email, role: "member" });
    await refusedByTrigger(changeRole(null, form({ userId: member.id, role: "admin" })));
    expect((await findUserById(db, member.id))?.role).toBe("member");
    expect(await entriesAbout(email)).toBe(0);
  });

  it("keeps an account enabled, with its sessions", async () => {
    const email = `d-${unique()}@${MARK}.test`;
    const member = await createUser(db, { email, role: "member" });
    const sessionId = await createSession(db, member.id, null);
    await refusedByTrigger(setMemberDisabled(null, form({ userId: member.id, disabled: "true" })));
    expect((await findUserById(db, member.id))?.disabled).toBe(false);
    expect(await db.select().from(sessions).where(eq(sessions.id, sessionId))).toHaveLength(1);
  });

  it("creates no invite, and revokes none", async () => {
    const ws = await workspace(`i-${unique()}`);
    const email = `i-${unique()}@${MARK}.test`;
    await refusedByTrigger(inviteMember(null, form({ email, role: "member", workspaceIds: ws.id })));
    expect(await findPendingInviteByEmail(db, email)).toBeNull();

    const pending = await createInvite(db, { email, role: "member", workspaceIds: [ws.id], createdBy: admin.id });
    await refusedByTrigger(revokePendingInvite(null, form({ inviteId: pending.id })));
    expect(await findPendingInviteByEmail(db, email)).not.toBeNull();
  });

  it("adds no member from an invite: the invite stays pending and no access is given", async () => {
    const ws = await workspace(`j-${unique()}`);
    const email = `j-${unique()}@${MARK}.test`;
    const pending = await createInvite(db, { email, role: "member", workspaceIds: [ws.id], createdBy: admin.id });
    await refusedByTrigger(acceptInvite(db, { id: pending.id }, { name: "Joy", password: null }));
    expect(await findUserByEmail(db, email)).toBeNull();
    expect(await findPendingInviteByEmail(db, email)).not.toBeNull();
    expect(await db.select().from(workspaceAccess).where(eq(workspaceAccess.workspaceId, ws.id))).toHaveLength(0);
  });

  it("adds, edits and removes no workspace", async () => {
    const slug = `${MARK}-${unique()}`;
    await refusedByTrigger(
      addWorkspace(
        null,
        form({ name: "Marked", slug, baseUrl: "https://api.trillet.ai", trilletWorkspaceId: "ws_1", apiKey: "sk_live_00000000" }),
      ),
    );
    expect((await listWorkspaceSettings(db)).some((w) => w.slug === slug)).toBe(false);

    const kept = await workspace(`${MARK}-${unique()}`);
    await refusedByTrigger(
      editWorkspace(null, form({ workspaceId: kept.id, name: "Renamed", slug: kept.slug, baseUrl: "https://api.trillet.ai" })),
    );
    expect((await listWorkspaceSettings(db)).find((w) => w.id === kept.id)?.name).toBe(kept.name);

    // Removal: the workspace, its tracked batch and the member's access all stay.
    const member = await createUser(db, { email: `w-${unique()}@example.com`, role: "member" });
    await setWorkspaceAccess(db, member.id, kept.id, true);
    await db.insert(trackedBatches).values({ workspaceId: kept.id, batchId: "batch-1", label: "" });
    await refusedByTrigger(deleteWorkspace(null, form({ workspaceId: kept.id, confirmSlug: kept.slug })));
    expect(await db.select().from(workspaces).where(eq(workspaces.id, kept.id))).toHaveLength(1);
    expect(await db.select().from(trackedBatches).where(eq(trackedBatches.workspaceId, kept.id))).toHaveLength(1);
    expect(
      await db
        .select()
        .from(workspaceAccess)
        .where(and(eq(workspaceAccess.workspaceId, kept.id), eq(workspaceAccess.userId, member.id))),
    ).toHaveLength(1);
    expect(await entriesAbout(kept.slug)).toBe(0);
  });

  it("keeps a batch's label", async () => {
    const ws = await workspace(`k-${unique()}`);
    const batchId = `${MARK}-${unique()}`;
    await db.insert(trackedBatches).values({ workspaceId: ws.id, batchId, label: "before" });
    await refusedByTrigger(renameBatch(null, form({ workspace: ws.slug, batchId, label: "after" })));
    const [row] = await db.select().from(trackedBatches).where(eq(trackedBatches.batchId, batchId));
    expect(row?.label).toBe("before");
  });

  it("keeps the audit retention", async () => {
    await db.execute(sql`INSERT INTO refused_audit_actions (action) VALUES ('audit.retention_changed')`);
    try {
      const before = await auditRetention(db);
      await refusedByTrigger(changeAuditRetention(null, form({ days: before === 90 ? "180" : "90" })));
      expect(await auditRetention(db)).toBe(before);
    } finally {
      await db.execute(sql`DELETE FROM refused_audit_actions WHERE action = 'audit.retention_changed'`);
    }
  });

  it("still makes and audits a change whose entry is accepted (the trigger refuses only marked entries)", async () => {
    const email = `ok-${unique()}@example.com`;
    const member = await createUser(db, { email, role: "member" });
    expect(await changeRole(null, form({ userId: member.id, role: "admin" }))).toMatchObject({ ok: true });
    expect((await findUserById(db, member.id))?.role).toBe("admin");
    const { rows } = await listAudit(db, 1, 5, { action: "user.role_changed" });
    expect(rows.some((r) => r.target === email)).toBe(true);
    // Invites left by other tests are not this one's concern.
    expect(await db.select().from(invites).where(eq(invites.email, email))).toHaveLength(0);
  });
});
