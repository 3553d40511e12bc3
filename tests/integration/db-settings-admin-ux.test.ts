import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";

import { changeAuditRetention } from "@/app/settings/audit/actions";
import { auditHref, auditPageHref, parseAuditView, rangeStart } from "@/app/settings/audit/search-params";
import { inviteMember } from "@/app/settings/members/invite-actions";
import { deleteWorkspace, testWorkspaceConnection } from "@/app/settings/workspaces/actions";
import { auditActionLabel, auditFromLabel, humanAuditDetail } from "@/components/settings/audit-labels";
import { auditRetention, listAudit, purgeExpiredAudit, recordAuditEvent } from "@/lib/audit";
import { acceptInvite, createInvite, listPendingInvites } from "@/lib/auth/invites";
import { createUser, listUsers, type AppUser } from "@/lib/auth/users";
import {
  auditEvents,
  batchStarts,
  invites,
  mirrorCalls,
  mirrorSyncs,
  notificationChannels,
  trackedBatches,
  workspaceAccess,
  workspaces,
} from "@/lib/db/schema";
import { createChannel } from "@/lib/notifications/channels";
import { appExportCache } from "@/lib/reports/cache";
import { createWorkspace, listWorkspaceSettings, setWorkspaceAccess } from "@/lib/workspaces";

import { db, sb, setUpDatabaseAndSandbox } from "../support/harness";
import { form, signedInAs } from "../support/request";
import { TEST_KEY, TEST_WORKSPACE } from "../support/sandbox";

// The team-admin pages' behaviour against a real database (and the sandbox for a connection
// test): invites need a workspace for a member and list theirs, the audit log's labels, filters and
// retention, a workspace's last connection test, and removing a workspace with all it owns.
vi.mock("@/lib/auth/guards", () => import("../support/request").then((m) => m.guards));
// The recent-sign-in rule for admin changes is checked by the access sweep (db-access-sweep.test.ts).
vi.mock("@/lib/auth/fresh-sign-in", () => import("../support/request").then((m) => m.freshSignIn));
vi.mock("next/headers", () => import("../support/request").then((m) => m.nextHeaders));
vi.mock("next/cache", () => import("../support/request").then((m) => m.nextCache));

setUpDatabaseAndSandbox();
let admin: AppUser;
beforeAll(async () => {
  admin = await createUser(db, { email: "admin@example.com", name: "Ada", role: "admin" });
  signedInAs(admin);
});

const unique = () => crypto.randomUUID().slice(0, 8);
const workspace = (slug = `ws-${unique()}`, baseUrl = "https://api.trillet.ai") =>
  createWorkspace(db, { slug, name: `Name ${slug}`, baseUrl, apiKey: TEST_KEY, trilletWorkspaceId: TEST_WORKSPACE });

describe("invites", () => {
  it("refuses a member invite with no workspace ticked, naming the field; an admin needs none", async () => {
    await workspace();
    const email = `none-${unique()}@example.com`;
    expect(await inviteMember(null, form({ email, role: "member" }))).toEqual({
      ok: false,
      error: "Choose at least one workspace the member can open.",
      field: "workspaceIds",
    });
    expect((await listPendingInvites(db)).some((i) => i.email === email)).toBe(false);
    expect(await inviteMember(null, form({ email, role: "admin" }))).toMatchObject({ ok: true });
  });

  it("lists a pending invite with its workspaces", async () => {
    const [a, b] = await Promise.all([workspace(), workspace()]);
    const email = `two-${unique()}@example.com`;
    expect(await inviteMember(null, form({ email, role: "member", workspaceIds: [a.id, b.id] }))).toMatchObject({ ok: true });
    const invite = (await listPendingInvites(db)).find((i) => i.email === email);
    expect([...invite!.workspaceIds].sort()).toEqual([a.id, b.id].sort());
  });
});

describe("audit log", () => {
  it("labels codes, details and loopback addresses for people", () => {
    expect(auditActionLabel("auth.sign_in")).toBe("Signed in");
    expect(auditActionLabel("something.new")).toBe("something.new");
    expect(humanAuditDetail({ verdict: "rejected" })).toBe("rejected");
    expect(humanAuditDetail({ from: "member", to: "admin" })).toBe("from: member · to: admin");
    expect(auditFromLabel("::1")).toBe("This computer (::1)");
    expect(auditFromLabel("203.0.113.9")).toBe("203.0.113.9");
    expect(auditFromLabel(null)).toBeNull();
  });

  it("reads its filters from the URL with defaults, and writes links that keep them", () => {
    expect(parseAuditView({})).toEqual({ action: "", who: "", range: "", page: 1 });
    expect(parseAuditView({ action: "user.role_changed", who: " ada ", range: "7d", page: "3" })).toEqual({
      action: "user.role_changed",
      who: "ada",
      range: "7d",
      page: 3,
    });
    // Malformed values fall back to their defaults instead of failing the page.
    expect(parseAuditView({ action: "drop table", range: "1y", page: "-1", who: "a\u0000b" })).toEqual(parseAuditView({}));
    expect(auditHref({})).toBe("/settings/audit");
    expect(auditPageHref(2, { action: "auth.sign_in", who: "", range: "24h", page: 1 })).toBe(
      "/settings/audit?action=auth.sign_in&range=24h&page=2",
    );
    expect(rangeStart("", 1_000)).toBeNull();
    expect(rangeStart("24h", 86_400_000 * 2)?.getTime()).toBe(86_400_000);
  });

  it("filters by action, person and time", async () => {
    const who = `filter-${unique()}@example.com`;
    await recordAuditEvent(db, { actor: { id: null, email: who }, action: "auth.sign_in_failed", detail: { reason: "wrong_password" } });
    await recordAuditEvent(db, { actor: { id: null, email: who }, action: "auth.sign_in_throttled" });
    const [old] = await db
      .insert(auditEvents)
      .values({ actorEmail: who, action: "auth.sign_in_failed", at: new Date(Date.now() - 40 * 86_400_000) })
      .returning();

    const byPerson = await listAudit(db, 1, 50, { who: who.slice(0, 14).toUpperCase() });
    expect(byPerson.total).toBe(3);
    expect((await listAudit(db, 1, 50, { who, action: "auth.sign_in_failed" })).total).toBe(2);
    const recent = await listAudit(db, 1, 50, { who, since: rangeStart("30d") });
    expect(recent.total).toBe(2);
    expect(recent.rows.some((r) => r.id === old!.id)).toBe(false);
    // A LIKE wildcard typed in the person filter matches itself only.
    expect((await listAudit(db, 1, 50, { who: "%" })).total).toBe(0);
  });

  it("keeps entries for the chosen retention, audits the change, and purges older ones", async () => {
    const marker = `retention-${unique()}`;
    const [old] = await db
      .insert(auditEvents)
      .values({ action: "auth.sign_in", target: marker, at: new Date(Date.now() - 100 * 86_400_000) })
      .returning();
    const [recent] = await db
      .insert(auditEvents)
      .values({ action: "auth.sign_in", target: marker, at: new Date(Date.now() - 10 * 86_400_000) })
      .returning();
    try {
      expect(await changeAuditRetention(null, form({ days: "90" }))).toMatchObject({ ok: true });
      expect(await auditRetention(db)).toBe(90);
      const [entry] = (await listAudit(db, 1, 1, { action: "audit.retention_changed" })).rows;
      expect(entry).toMatchObject({ actorEmail: "admin@example.com", detail: { days: 90 } });
      expect(await purgeExpiredAudit(db)).toBeGreaterThanOrEqual(1);
      const left = await db.select({ id: auditEvents.id }).from(auditEvents).where(eq(auditEvents.target, marker));
      expect(left.map((r) => r.id)).toEqual([recent!.id]);
      expect(old).toBeTruthy();
      expect(await changeAuditRetention(null, form({ days: "bogus" }))).toMatchObject({ ok: false });
    } finally {
      expect(await changeAuditRetention(null, form({ days: "forever" }))).toMatchObject({ ok: true });
    }
    expect(await auditRetention(db)).toBeNull();
    expect(await purgeExpiredAudit(db)).toBe(0);
  });
});

describe("workspaces", () => {
  it("keeps the last connection test with its time, shown after a reload", async () => {
    const ws = await workspace(`test-${unique()}`, sb.url);
    expect((await listWorkspaceSettings(db)).find((w) => w.id === ws.id)?.lastTest).toBeNull();
    const before = Date.now();
    expect(await testWorkspaceConnection(null, form({ workspaceId: ws.id }))).toMatchObject({ ok: true, data: { verdict: "valid" } });
    const saved = (await listWorkspaceSettings(db)).find((w) => w.id === ws.id)!;
    expect(saved.lastTest?.verdict).toBe("valid");
    expect(saved.lastTest!.at.getTime()).toBeGreaterThanOrEqual(before - 1_000);
    // Credentials are versioned by updatedAt: a test must not touch it.
    expect(saved.lastTest!.at.getTime()).toBeGreaterThanOrEqual(saved.updatedAt.getTime());
  });

  it("removes a workspace with its batches, copy, starts, channels, grants and pending invite entries, audited", async () => {
    const ws = await workspace(`gone-${unique()}`);
    const other = await workspace(`stay-${unique()}`);
    const member = await createUser(db, { email: `grant-${unique()}@example.com`, role: "member" });
    await setWorkspaceAccess(db, member.id, ws.id, true);
    await setWorkspaceAccess(db, member.id, other.id, true);
    await db.insert(trackedBatches).values({ workspaceId: ws.id, batchId: "b-1", label: "" });
    await db.insert(mirrorSyncs).values({ workspaceId: ws.id, batchId: "b-1" });
    await db.insert(mirrorCalls).values({
      workspaceId: ws.id,
      batchId: "b-1",
      jobId: "j-1",
      rowNo: 1,
      status: "completed",
      phoneNumber: "+15550100",
      metadata: {},
      searchText: "",
    });
    await db.insert(batchStarts).values({
      workspaceId: ws.id,
      idempotencyKey: "k-1",
      parentBatchId: "b-1",
      agentId: "agent",
      rowCount: 1,
      excludedCount: 0,
      createdBy: admin.id,
    });
    await createChannel(
      db,
      ws.id,
      {
        kind: "webhook",
        url: "https://hooks.example.com/x",
        events: ["batch.finished"],
        failureRatePercent: 50,
        minFinishedCalls: 20,
        stallMinutes: 15,
      },
      admin.id,
    );
    const invite = await createInvite(db, {
      email: `inv-${unique()}@example.com`,
      role: "member",
      workspaceIds: [ws.id, other.id],
      createdBy: admin.id,
    });

    // A report kept on disk for one of its batches (the files hold call data).
    const cache = appExportCache()!;
    const keptView = { workspaceId: ws.id, batchId: "b-1", frozenAt: 1, format: "report", status: "all", reason: "", q: "" };
    const writer = (await cache.writer(keptView))!;
    await writer.write(new TextEncoder().encode("job_id\nj-1\n"));
    await writer.commit(1);
    await (await cache.open(keptView))!.close();

    // The slug must be typed to confirm.
    expect(await deleteWorkspace(null, form({ workspaceId: ws.id, confirmSlug: "nope" }))).toMatchObject({ ok: false });
    expect(await db.select().from(workspaces).where(eq(workspaces.id, ws.id))).toHaveLength(1);

    expect(await deleteWorkspace(null, form({ workspaceId: ws.id, confirmSlug: ws.slug.toUpperCase() }))).toMatchObject({ ok: true });
    expect(await db.select().from(trackedBatches).where(eq(trackedBatches.workspaceId, ws.id))).toHaveLength(0);
    expect(await db.select().from(mirrorSyncs).where(eq(mirrorSyncs.workspaceId, ws.id))).toHaveLength(0);
    expect(await db.select().from(mirrorCalls).where(eq(mirrorCalls.workspaceId, ws.id))).toHaveLength(0);
    expect(await db.select().from(batchStarts).where(eq(batchStarts.workspaceId, ws.id))).toHaveLength(0);
    expect(await db.select().from(notificationChannels).where(eq(notificationChannels.workspaceId, ws.id))).toHaveLength(0);
    expect(await db.select().from(workspaceAccess).where(eq(workspaceAccess.workspaceId, ws.id))).toHaveLength(0);
    expect(await db.select().from(workspaces).where(eq(workspaces.id, ws.id))).toHaveLength(0);
    expect(await cache.open(keptView)).toBeNull();
    // Everything else stays: the other workspace and the member's access to it.
    expect((await listUsers(db)).find((u) => u.id === member.id)?.workspaceIds).toEqual([other.id]);
    const [left] = await db.select().from(invites).where(eq(invites.id, invite.id));
    expect(left?.workspaceIds).toEqual([other.id]);
    // The invite can still be accepted (no access to a workspace that is gone).
    const joined = await acceptInvite(db, { id: invite.id }, { name: "Ivy", password: null });
    expect((await listUsers(db)).find((u) => u.id === joined.id)?.workspaceIds).toEqual([other.id]);

    const [entry] = (await listAudit(db, 1, 1, { action: "workspace.removed" })).rows;
    expect(entry).toMatchObject({ target: ws.slug, actorEmail: "admin@example.com", detail: { batches: 1, channels: 1, members: 1 } });
    expect(await deleteWorkspace(null, form({ workspaceId: ws.id, confirmSlug: ws.slug }))).toMatchObject({ ok: false });
  });
});
