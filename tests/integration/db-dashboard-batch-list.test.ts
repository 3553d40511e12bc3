import { eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { removeBatch, renameBatch } from "@/app/w/[workspace]/batches/actions";
import { LABEL_MAX_LENGTH, removeBatchInput, renameBatchInput } from "@/components/batches-list/batch-actions-input";
import { openBatchTarget } from "@/components/batches-list/open-target";
import { listAudit } from "@/lib/audit";
import { createUser } from "@/lib/auth/users";
import { batchListQuery, listBatches, parseBatchListView, type BatchListItem } from "@/lib/batches/batch-list";
import { findTrackedBatch, recordBatchRead } from "@/lib/batches/tracked";
import { mirrorSyncs, trackedBatches } from "@/lib/db/schema";
import { claimNextSync, requestSync, runSync } from "@/lib/mirror/sync";
import { createWorkspace, type Workspace } from "@/lib/workspaces";

import { usingPostgres } from "../support/db";
import { db, sb, setUpDatabaseAndSandbox } from "../support/harness";
import { form } from "../support/request";
import { TEST_KEY, TEST_WORKSPACE } from "../support/sandbox";

// The batches page: shaping and sorting of the tracked list, the "Open batch" field's targets, and
// the rename/remove actions (session stubbed) against a real database and the Trillet sandbox.
const session = vi.hoisted(() => ({
  workspaces: new Map<string, Workspace>(),
  revalidated: [] as string[],
  user: { id: "", email: "member@example.com", role: "member" as const, name: "", disabled: false },
}));
vi.mock("@/lib/auth/guards", () => ({
  currentUser: async () => session.user,
  visibleWorkspace: async (_user: unknown, slug: string) => session.workspaces.get(slug) ?? null,
}));
vi.mock("next/cache", () => ({ revalidatePath: (path: string) => session.revalidated.push(path) }));
// The client address is the TCP peer the server stamps on each request (lib/http/client-address.ts).
vi.mock("next/headers", async () => {
  const { PEER_HEADER, peerHeaderValue } = await import("@/lib/http/client-address");
  return { headers: async () => new Headers({ [PEER_HEADER]: peerHeaderValue("192.0.2.9"), "user-agent": "vitest" }) };
});

setUpDatabaseAndSandbox();
let ws: Workspace;
let other: Workspace;

const T0 = Date.parse("2025-03-01T09:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const summary = (total: number, waiting: number, active: number, completed: number, failed: number) => ({
  total,
  waiting,
  active,
  completed,
  failed,
});

/** A workspace the signed-in member can see (tests that change a list get one of their own). */
async function make(slug: string): Promise<Workspace> {
  const info = await createWorkspace(db, { slug, name: slug, baseUrl: sb.url, apiKey: TEST_KEY, trilletWorkspaceId: TEST_WORKSPACE });
  const workspace = { ...info, gateway: sb.gateway() };
  session.workspaces.set(slug, workspace);
  return workspace;
}

beforeAll(async () => {
  session.user.id = (await createUser(db, { email: session.user.email, role: "member" })).id;
  ws = await make("list");
  other = await make("elsewhere");
  // Added one minute apart, in this order; "never-read" has no summary yet.
  await db.insert(trackedBatches).values([
    {
      workspaceId: ws.id,
      batchId: "alpha",
      label: "Zebra wave",
      addedAt: at(0),
      lastSummary: summary(100, 0, 0, 90, 10),
      summaryReadAt: at(30),
      finishedAt: at(30),
    },
    { workspaceId: ws.id, batchId: "bravo", label: "", addedAt: at(1), lastSummary: summary(500, 200, 25, 50, 225), summaryReadAt: at(40) },
    {
      workspaceId: ws.id,
      batchId: "charlie",
      label: "apple run",
      addedAt: at(2),
      lastSummary: summary(20, 20, 0, 0, 0),
      summaryReadAt: at(10),
    },
    { workspaceId: ws.id, batchId: "never-read", label: "Mango", addedAt: at(3) },
    {
      workspaceId: other.id,
      batchId: "theirs",
      label: "Not yours",
      addedAt: at(4),
      lastSummary: summary(1, 0, 0, 1, 0),
      summaryReadAt: at(4),
    },
  ]);
});
beforeEach(() => {
  session.revalidated.length = 0;
});

const ids = (items: BatchListItem[]) => items.map((i) => i.batchId);
const sorted = async (query: Record<string, string>) => ids(await listBatches(db, ws.id, parseBatchListView(query)));

describe(`batches list (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("lists only this workspace's batches, newest first, with chosen fields", async () => {
    const items = await listBatches(db, ws.id);
    expect(ids(items)).toEqual(["never-read", "charlie", "bravo", "alpha"]);
    expect(items.find((i) => i.batchId === "alpha")).toEqual({
      batchId: "alpha",
      label: "Zebra wave",
      addedAt: at(0).getTime(),
      summary: summary(100, 0, 0, 90, 10),
      refreshedAt: at(30).getTime(),
      status: "finished",
      successRate: 0.9,
    });
    expect(items.find((i) => i.batchId === "bravo")).toMatchObject({ status: "running", successRate: 50 / 275 });
  });

  it("says unknown rather than zero for a batch never read and for a rate with no finished call", async () => {
    const items = await listBatches(db, ws.id);
    expect(items.find((i) => i.batchId === "never-read")).toMatchObject({
      summary: null,
      refreshedAt: null,
      successRate: null,
      status: "unknown",
    });
    expect(items.find((i) => i.batchId === "charlie")).toMatchObject({ status: "running", successRate: null, summary: { total: 20 } });
  });

  it("sorts by every column in both directions, unknown values last", async () => {
    expect(await sorted({ sort: "added", dir: "asc" })).toEqual(["alpha", "bravo", "charlie", "never-read"]);
    expect(await sorted({ sort: "label", dir: "asc" })).toEqual(["charlie", "never-read", "alpha", "bravo"]);
    expect(await sorted({ sort: "label", dir: "desc" })).toEqual(["alpha", "never-read", "charlie", "bravo"]);
    expect(await sorted({ sort: "total", dir: "desc" })).toEqual(["bravo", "alpha", "charlie", "never-read"]);
    expect(await sorted({ sort: "total", dir: "asc" })).toEqual(["charlie", "alpha", "bravo", "never-read"]);
    expect(await sorted({ sort: "success", dir: "desc" })).toEqual(["alpha", "bravo", "never-read", "charlie"]);
    expect(await sorted({ sort: "success", dir: "asc" })).toEqual(["bravo", "alpha", "never-read", "charlie"]);
    expect(await sorted({ sort: "refreshed", dir: "desc" })).toEqual(["bravo", "alpha", "charlie", "never-read"]);
    expect(await sorted({ sort: "refreshed", dir: "asc" })).toEqual(["charlie", "alpha", "bravo", "never-read"]);
  });

  it("reads the sort from the URL, each malformed value falling back to its default", () => {
    expect(parseBatchListView({})).toEqual({ sort: "added", dir: "desc" });
    expect(parseBatchListView({ sort: "total", dir: "asc" })).toEqual({ sort: "total", dir: "asc" });
    expect(parseBatchListView({ sort: "label" })).toEqual({ sort: "label", dir: "asc" });
    expect(parseBatchListView({ sort: "success", dir: "sideways" })).toEqual({ sort: "success", dir: "desc" });
    expect(parseBatchListView({ sort: "password" })).toEqual({ sort: "added", dir: "desc" });
    expect(parseBatchListView({ sort: "password", dir: "asc" })).toEqual({ sort: "added", dir: "asc" });
    expect(parseBatchListView({ sort: ["refreshed", "label"], dir: ["asc"] })).toEqual({ sort: "refreshed", dir: "asc" });
    expect(batchListQuery({ sort: "added", dir: "desc" })).toBe("");
    // A column's own direction is left out: the first click on "Label" links to ?sort=label.
    expect(batchListQuery({ sort: "label", dir: "asc" })).toBe("?sort=label");
    expect(batchListQuery({ sort: "label", dir: "desc" })).toBe("?sort=label&dir=desc");
    expect(batchListQuery({ sort: "added", dir: "asc" })).toBe("?dir=asc");
  });

  it("shows a batch's final counts once its copy is frozen, though Trillet was last read mid-run", async () => {
    const own = await make("frozen");
    const readAt = new Date(Date.now() - 60_000);
    await recordBatchRead(db, own.id, "demo-finished", summary(2, 1, 1, 0, 0), readAt, null);
    expect((await listBatches(db, own.id)).find((i) => i.batchId === "demo-finished")).toMatchObject({ status: "running" });

    await requestSync(db, own.id, "demo-finished");
    const job = await claimNextSync(db, "list-test");
    expect(job).toMatchObject({ workspaceId: own.id, batchId: "demo-finished" });
    expect(await runSync(db, own.gateway, job!, { limitPerMinute: 600_000, minSpacingMs: 0 })).toMatchObject({ frozen: true });

    const item = (await listBatches(db, own.id)).find((i) => i.batchId === "demo-finished")!;
    const final = sb.sandbox.summary("demo-finished")!;
    const [sync] = await db.select().from(mirrorSyncs).where(eq(mirrorSyncs.workspaceId, own.id));
    expect(item).toMatchObject({ status: "finished", summary: final, refreshedAt: sync!.lastSuccessAt!.getTime() });
    expect(item.successRate).toBeCloseTo(final.completed / (final.completed + final.failed));
  });
});

describe("open batch field", () => {
  it("opens a bare ID in this workspace and says clearly when it is malformed", () => {
    expect(openBatchTarget("list", "  batch_8f2c41 ")).toEqual({ ok: true, href: "/w/list/batches/batch_8f2c41" });
    const bad = openBatchTarget("list", "batch 8f2c41");
    expect(bad).toMatchObject({ ok: false });
    expect(!bad.ok && bad.message).toMatch(/“batch 8f2c41” is not a batch ID\. A batch ID is letters, digits/);
    expect(openBatchTarget("list", "   ")).toEqual({ ok: false, message: "Enter a batch ID or paste a Batchboard link." });
  });

  it("reopens a pasted link's own view: workspace, failed-calls page and query", () => {
    expect(openBatchTarget("list", "https://board.example.com/w/sales/batches/demo-failing?status=failed&page=2")).toEqual({
      ok: true,
      href: "/w/sales/batches/demo-failing?status=failed&page=2",
    });
    expect(openBatchTarget("list", "http://localhost:3000/w/list/batches/demo-failing/failed?reason=number+busy")).toEqual({
      ok: true,
      href: "/w/list/batches/demo-failing/failed?reason=number+busy",
    });
    expect(openBatchTarget("list", "https://board.example.com/settings/members")).toEqual({
      ok: false,
      message: "That link does not point at a batch.",
    });
  });
});

describe("rename and remove", () => {
  it("validates the label: trimmed, spaces folded, empty clears it, too long is refused", () => {
    expect(renameBatchInput.parse({ batchId: "alpha", label: "  March   renewals \n wave 2 " })).toEqual({
      batchId: "alpha",
      label: "March renewals wave 2",
    });
    expect(renameBatchInput.parse({ batchId: "alpha", label: "   " })).toEqual({ batchId: "alpha", label: "" });
    const long = renameBatchInput.safeParse({ batchId: "alpha", label: "x".repeat(LABEL_MAX_LENGTH + 1) });
    expect(long.success || long.error.issues[0]?.message).toBe(`Keep the label to ${LABEL_MAX_LENGTH} characters.`);
    expect(renameBatchInput.safeParse({ batchId: "../etc", label: "x" }).success).toBe(false);
    expect(removeBatchInput.safeParse({}).success).toBe(false);
  });

  it("renames a batch of this workspace and refreshes the list", async () => {
    const own = await make("rename");
    await db.insert(trackedBatches).values({ workspaceId: own.id, batchId: "bravo", label: "Before" });
    const result = await renameBatch(null, form({ workspace: "rename", batchId: "bravo", label: " Spring  promo " }));
    expect(result).toMatchObject({ ok: true });
    expect((await findTrackedBatch(db, own.id, "bravo"))?.label).toBe("Spring promo");
    expect(session.revalidated).toEqual(["/w/rename/batches"]);
    const { rows } = await listAudit(db, 1, 5);
    expect(rows[0]).toMatchObject({ action: "batch.renamed", target: "bravo", actorEmail: "member@example.com", ip: "192.0.2.9" });
  });

  it("answers with a message, not a change, for invalid input or a batch of another workspace", async () => {
    expect(await renameBatch(null, form({ workspace: "list", batchId: "bravo", label: "x".repeat(200) }))).toMatchObject({ ok: false });
    expect(await renameBatch(null, form({ workspace: "list", batchId: "theirs", label: "Mine now" }))).toEqual({
      ok: false,
      error: "That batch is no longer in the list. Reload the page.",
    });
    expect((await findTrackedBatch(db, other.id, "theirs"))?.label).toBe("Not yours");
    await expect(renameBatch(null, form({ workspace: "nope", batchId: "bravo", label: "x" }))).rejects.toMatchObject({
      digest: "NEXT_HTTP_ERROR_FALLBACK;404",
    });
    expect(session.revalidated).toEqual([]);
  });

  it("removes a batch from this workspace's list only", async () => {
    expect(await removeBatch(null, form({ workspace: "list", batchId: "theirs" }))).toMatchObject({ ok: false });
    expect(await findTrackedBatch(db, other.id, "theirs")).not.toBeNull();
    const own = await make("remove");
    await db.insert(trackedBatches).values([
      { workspaceId: own.id, batchId: "bravo", addedAt: at(0) },
      { workspaceId: own.id, batchId: "charlie", addedAt: at(1) },
    ]);
    expect(await removeBatch(null, form({ workspace: "remove", batchId: "charlie" }))).toMatchObject({ ok: true });
    expect(ids(await listBatches(db, own.id))).toEqual(["bravo"]);
    expect(await removeBatch(null, form({ workspace: "remove", batchId: "charlie" }))).toMatchObject({ ok: false });
  });
});
