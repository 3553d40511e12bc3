import { beforeAll, describe, expect, it, vi } from "vitest";

import { GET } from "@/app/api/w/[workspace]/batches/[batchId]/calls/[jobId]/route";
import { createUser } from "@/lib/auth/users";
import { getMirroredCall } from "@/lib/batches/call-detail";
import { findTrackedBatch } from "@/lib/batches/tracked";
import { claimNextSync, requestSync, runSync } from "@/lib/mirror/sync";
import { createWorkspace, type Workspace } from "@/lib/workspaces";

import { usingPostgres } from "../support/db";
import { db, sb, setUpDatabaseAndSandbox } from "../support/harness";
import { TEST_KEY, TEST_WORKSPACE } from "../support/sandbox";

// One call of a batch, read from the mirror only: the service and its route handler (session stubbed).
const session = vi.hoisted(() => ({ workspaces: new Map<string, Workspace>(), userId: "" }));
vi.mock("@/lib/auth/guards", () => ({
  currentUser: async () => ({ id: session.userId, email: "member@example.com", name: "Member", role: "member", disabled: false }),
  visibleWorkspace: async (_user: unknown, slug: string) => session.workspaces.get(slug) ?? null,
}));

setUpDatabaseAndSandbox();
let ws: Workspace;
let other: Workspace;

beforeAll(async () => {
  const make = async (slug: string) => {
    const info = await createWorkspace(db, { slug, name: slug, baseUrl: sb.url, apiKey: TEST_KEY, trilletWorkspaceId: TEST_WORKSPACE });
    const workspace = { ...info, gateway: sb.gateway() };
    session.workspaces.set(slug, workspace);
    return workspace;
  };
  session.userId = (
    await createUser(db, { email: "member@example.com", name: "Member", password: "a long enough passphrase", role: "member" })
  ).id;
  ws = await make("detail");
  other = await make("other");
  await requestSync(db, ws.id, "demo-failing");
  for (let job = await claimNextSync(db, "t"); job; job = await claimNextSync(db, "t")) {
    await runSync(db, ws.gateway, job, { limitPerMinute: 600_000, minSpacingMs: 0 });
  }
});

// Next hands a route handler its params already decoded (a page gets them percent-encoded).
const get = (workspace: string, batchId: string, jobId: string) =>
  GET(new Request(`http://board.test/api/w/${workspace}/batches/${encodeURIComponent(batchId)}/calls/${encodeURIComponent(jobId)}`), {
    params: Promise.resolve({ workspace, batchId, jobId }),
  });

const sample = () => {
  const truth = sb.sandbox.truth("demo-failing")!;
  return { failed: truth.find((c) => c.status === "failed")!, completed: truth.find((c) => c.status === "completed")! };
};

describe(`call detail (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("returns a mirrored call field for field as Trillet sent it", async () => {
    const sandboxRequests = sb.sandbox.stats().requests;
    for (const truth of Object.values(sample())) {
      const call = await getMirroredCall(db, ws.id, "demo-failing", truth.jobId);
      expect(call).toEqual({
        jobId: truth.jobId,
        status: truth.status,
        phoneNumber: truth.phone_number,
        startTime: truth.startTime ?? null,
        endTime: truth.endTime ?? null,
        durationSec: truth.duration ?? null,
        error: truth.error ?? null,
        metadata: truth.metadata,
      });
    }
    expect(sb.sandbox.stats().requests).toBe(sandboxRequests);
  });

  it("is null for an unknown job, another batch or another workspace", async () => {
    const { failed } = sample();
    expect(await getMirroredCall(db, ws.id, "demo-failing", "no-such-job")).toBeNull();
    expect(await getMirroredCall(db, ws.id, "demo-finished", failed.jobId)).toBeNull();
    expect(await getMirroredCall(db, other.id, "demo-failing", failed.jobId)).toBeNull();
  });

  it("serves the call as JSON with chosen fields, never cached by the browser", async () => {
    const { failed } = sample();
    const response = await get("detail", "demo-failing", failed.jobId);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    const body = (await response.json()) as { call: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(["call"]);
    expect(Object.keys(body.call).sort()).toEqual([
      "durationSec",
      "endTime",
      "error",
      "jobId",
      "metadata",
      "phoneNumber",
      "startTime",
      "status",
    ]);
    expect(body.call).toMatchObject({ jobId: failed.jobId, status: "failed", phoneNumber: failed.phone_number, error: failed.error });
  });

  it("answers 404 with the reason: no such call, or a batch not copied yet", async () => {
    const missing = await get("detail", "demo-failing", "no-such-job");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ reason: "not_found" });

    const uncopied = await get("detail", "demo-finished", sample().failed.jobId);
    expect(uncopied.status).toBe(404);
    expect(await uncopied.json()).toMatchObject({ reason: "not_copied", progress: { pagesDone: 0 } });
  });

  it("on a batch nobody opened, checks Trillet once, tracks it and starts its copy", async () => {
    sb.sandbox.addFinishedBatch("fresh-link", 60, 0.5);
    const failed = sb.sandbox.truth("fresh-link")!.filter((c) => c.status === "failed");
    const before = sb.sandbox.stats().requests;
    // A failed call is on the first page of failed calls that check read: answered from it.
    const response = await get("detail", "fresh-link", failed[0]!.jobId);
    expect(sb.sandbox.stats().requests - before).toBe(1);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { call: { jobId: string } }).call.jobId).toBe(failed[0]!.jobId);
    expect(await findTrackedBatch(db, ws.id, "fresh-link")).not.toBeNull();
    const copied: string[] = [];
    for (let job = await claimNextSync(db, "t"); job; job = await claimNextSync(db, "t")) {
      copied.push(job.batchId);
      await runSync(db, ws.gateway, job, { limitPerMinute: 600_000, minSpacingMs: 0 });
    }
    expect(copied).toContain("fresh-link");
    const completed = sb.sandbox.truth("fresh-link")!.find((c) => c.status === "completed")!;
    expect((await get("detail", "fresh-link", completed.jobId)).status).toBe(200);
  });

  it("says a batch is not found only when Trillet does", async () => {
    const unknown = await get("detail", "no-such-batch", "some-job");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ kind: "not_found" });
    expect(await findTrackedBatch(db, ws.id, "no-such-batch")).toBeNull();
  });

  it("refuses other workspaces and malformed ids before any query", async () => {
    const { failed } = sample();
    expect((await get("nope", "demo-failing", failed.jobId)).status).toBe(404);
    expect((await get("detail", "bad id!", failed.jobId)).status).toBe(400);
    expect((await get("detail", "demo-failing", "x".repeat(300))).status).toBe(400);
    for (const hostile of ["\u0000", "job\u0000id", "\u001b[2J", "tab\there", "\u0085"]) {
      expect((await get("detail", "demo-failing", hostile)).status, JSON.stringify(hostile)).toBe(400);
    }
    expect((await get("detail", "demo\u0000failing", failed.jobId)).status).toBe(400);
    // "%00" as a job ID is three characters, never decoded a second time into a NUL.
    expect((await get("detail", "demo-failing", "%00")).status).toBe(404);
  });
});
