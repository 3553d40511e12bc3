import { describe, expect, it } from "vitest";
import { z } from "zod";

import { createSandbox, SANDBOX_BATCHES, type Sandbox, type SandboxCall } from "@/lib/sandbox";

// Pins the sandbox to trillet-api.md: shapes, auth, validation, pagination and per-call fields.

const CREDS = { apiKey: "sk_test_contract_1234", workspaceId: "ws_contract" };
const AUTH = { "x-api-key": CREDS.apiKey, "x-workspace-id": CREDS.workspaceId };
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

const ms = z
  .number()
  .int()
  .refine((n) => String(n).length === 13, "epoch ms (13 digits)");
const count = z.number().int().min(0);
const callStatus = z.enum(["waiting", "active", "completed", "failed"]);

const callSchema = z.strictObject({
  jobId: z.string().min(1),
  status: callStatus,
  phone_number: z.string().regex(/^\+[1-9]\d{6,14}$/),
  startTime: ms.optional(),
  endTime: ms.optional(),
  duration: z.number().nonnegative().optional(),
  error: z.string().optional(),
  metadata: z.record(z.string(), z.string()),
});
const summarySchema = z.strictObject({ total: count, waiting: count, active: count, completed: count, failed: count });
const pageSchema = z.strictObject({
  calls: z.array(callSchema),
  pagination: z.strictObject({
    page: z.number().int().min(1),
    limit: z.number().int().min(1).max(100),
    total: count,
    totalPages: count,
    hasNext: z.boolean(),
    hasPrev: z.boolean(),
  }),
  summary: summarySchema,
});
const recentSchema = z.strictObject({
  jobId: z.string(),
  status: z.enum(["completed", "failed"]),
  phone_number: z.string(),
  completedAt: ms.optional(),
  failedAt: ms.optional(),
  duration: z.number().optional(),
  error: z.string().optional(),
});
const progressShape = {
  waiting: count,
  active: count,
  completed: count,
  failed: count,
  total: count,
  startTime: ms,
  lastCompletedTime: ms.nullable(),
  completedTime: ms.nullable(),
  averageCallDuration: z.number().nonnegative(),
  recent_calls: z.array(recentSchema).max(10),
};
const headShape = {
  id: z.string(),
  status: z.enum(["queued", "processing", "completed", "cancelled", "failed"]),
  isComplete: z.boolean(),
  totalCalls: count,
  timestamp: ms,
};
const statusSchema = z.strictObject({ ...headShape, progress: z.strictObject(progressShape) });
const flatStatusSchema = z.strictObject({ ...headShape, ...progressShape });
const flatErrorSchema = z.strictObject({ error: z.string().min(1), message: z.string().optional() });

function make(): Sandbox {
  return createSandbox({ credentials: [CREDS], rateLimitPerMinute: 0, now: () => NOW });
}

async function get(sandbox: Sandbox, path: string, headers: Record<string, string> = AUTH) {
  const res = await sandbox.handle(new Request(`http://sandbox.test${path}`, { headers }));
  const text = await res.text();
  return { res, text, body: JSON.parse(text) as unknown };
}

async function page(sandbox: Sandbox, batchId: string, query = "") {
  const { res, body } = await get(sandbox, `/v1/api/batch-calls/${batchId}/calls${query}`);
  expect(res.status).toBe(200);
  return pageSchema.parse(body);
}

async function allCalls(sandbox: Sandbox, batchId: string, status = "all"): Promise<SandboxCall[]> {
  const calls: SandboxCall[] = [];
  for (let p = 1; ; p++) {
    const result = await page(sandbox, batchId, `?page=${p}&limit=100&status=${status}`);
    calls.push(...result.calls);
    if (!result.pagination.hasNext) return calls;
  }
}

describe("sandbox contract: list endpoint", () => {
  const sandbox = make();

  it("serves every batch in the documented shape as application/json", async () => {
    for (const batchId of sandbox.batchIds) {
      const { res, body } = await get(sandbox, `/v1/api/batch-calls/${batchId}/calls?limit=100`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(() => pageSchema.parse(body)).not.toThrow();
    }
  });

  it("defaults to page 1, limit 20, status all", async () => {
    const result = await page(sandbox, SANDBOX_BATCHES.finished);
    expect(result.pagination).toMatchObject({ page: 1, limit: 20, total: 150 });
    expect(result.calls).toHaveLength(20);
  });

  it("does the pagination arithmetic of the reference (150 calls, limit 20)", async () => {
    const first = await page(sandbox, SANDBOX_BATCHES.finished, "?page=1&limit=20");
    expect(first.pagination).toEqual({ page: 1, limit: 20, total: 150, totalPages: 8, hasNext: true, hasPrev: false });
    const middle = await page(sandbox, SANDBOX_BATCHES.finished, "?page=4&limit=20");
    expect(middle.pagination).toMatchObject({ hasNext: true, hasPrev: true });
    const last = await page(sandbox, SANDBOX_BATCHES.finished, "?page=8&limit=20");
    expect(last.calls).toHaveLength(10);
    expect(last.pagination).toMatchObject({ hasNext: false, hasPrev: true, totalPages: 8 });
    const past = await page(sandbox, SANDBOX_BATCHES.finished, "?page=9&limit=20");
    expect(past.calls).toEqual([]);
    expect(past.pagination).toMatchObject({ page: 9, total: 150, hasNext: false });
  });

  it("walks to every call exactly once, in row order, matching the ground truth", async () => {
    const walked = await allCalls(sandbox, SANDBOX_BATCHES.finished);
    expect(walked).toEqual(sandbox.truth(SANDBOX_BATCHES.finished));
    expect(new Set(walked.map((c) => c.jobId)).size).toBe(150);
  });

  it("keeps summary batch-wide while pagination.total follows the status filter", async () => {
    for (const batchId of [SANDBOX_BATCHES.finished, SANDBOX_BATCHES.live, SANDBOX_BATCHES.failing]) {
      const base = await page(sandbox, batchId);
      const { summary } = base;
      expect(summary.waiting + summary.active + summary.completed + summary.failed).toBe(summary.total);
      expect(summary).toEqual(sandbox.summary(batchId));
      let union = 0;
      for (const status of ["waiting", "active", "completed", "failed"] as const) {
        const filtered = await allCalls(sandbox, batchId, status);
        const first = await page(sandbox, batchId, `?status=${status}&limit=100`);
        expect(first.summary).toEqual(summary);
        expect(first.pagination.total).toBe(summary[status]);
        expect(first.pagination.totalPages).toBe(Math.ceil(summary[status] / 100));
        expect(filtered).toHaveLength(summary[status]);
        expect(filtered.every((c) => c.status === status)).toBe(true);
        union += filtered.length;
      }
      expect(union).toBe(summary.total);
    }
  });

  it("includes each optional call field only in the statuses the contract allows", async () => {
    const calls = [
      ...(await allCalls(sandbox, SANDBOX_BATCHES.finished)),
      ...(await allCalls(sandbox, SANDBOX_BATCHES.failing)),
      ...(await allCalls(sandbox, SANDBOX_BATCHES.live)),
    ];
    const seen = new Set(calls.map((c) => c.status));
    expect(seen).toEqual(new Set(["waiting", "active", "completed", "failed"]));
    for (const call of calls) {
      expect("startTime" in call).toBe(call.status !== "waiting");
      expect("endTime" in call).toBe(call.status === "completed" || call.status === "failed");
      expect("duration" in call).toBe(call.status === "completed");
      expect("error" in call).toBe(call.status === "failed");
      expect(call.metadata).not.toHaveProperty("phone_number");
      if (call.endTime !== undefined) expect(call.endTime).toBeGreaterThanOrEqual(call.startTime ?? Infinity);
      if (call.duration !== undefined) expect(call.duration).toBeCloseTo(((call.endTime ?? 0) - (call.startTime ?? 0)) / 1000, 3);
    }
  });

  it("answers the empty batch with zeros, no pages and no calls", async () => {
    const result = await page(sandbox, SANDBOX_BATCHES.empty);
    expect(result).toEqual({
      calls: [],
      pagination: { page: 1, limit: 20, total: 0, totalPages: 0, hasNext: false, hasPrev: false },
      summary: { total: 0, waiting: 0, active: 0, completed: 0, failed: 0 },
    });
  });

  it.each([
    ["page=0"],
    ["page=-1"],
    ["page=1.5"],
    ["page="],
    ["page=abc"],
    ["limit=0"],
    ["limit=101"],
    ["limit=abc"],
    ["limit=2e1"],
    ["status=bogus"],
    ["status=ALL"],
  ])("rejects %s with 400 {error}", async (query) => {
    const { res, body } = await get(sandbox, `/v1/api/batch-calls/${SANDBOX_BATCHES.finished}/calls?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(flatErrorSchema.parse(body).error).toMatch(/page|limit|status/);
  });
});

describe("sandbox contract: status endpoints", () => {
  const sandbox = make();

  it("serves nested and flat status objects that agree with the list summary", async () => {
    for (const batchId of sandbox.batchIds) {
      const nested = statusSchema.parse((await get(sandbox, `/v1/api/batch-calls/${batchId}`)).body);
      const flat = flatStatusSchema.parse((await get(sandbox, `/v1/api/batch-calls/${batchId}/status`)).body);
      const { progress, ...head } = nested;
      expect(flat).toEqual({ ...head, ...progress });
      const summary = sandbox.summary(batchId);
      expect(summary).toBeDefined();
      expect(head).toMatchObject({ id: batchId, totalCalls: summary?.total });
      expect(progress).toMatchObject({ ...summary });
      expect(head.isComplete).toBe(summary?.waiting === 0 && summary.active === 0);
      expect(progress.completedTime === null).toBe(!head.isComplete);
    }
  });

  it("reports finished batches as completed with their duration average and recent calls", async () => {
    const { progress, status, isComplete } = statusSchema.parse(
      (await get(sandbox, `/v1/api/batch-calls/${SANDBOX_BATCHES.finished}`)).body,
    );
    expect({ status, isComplete }).toEqual({ status: "completed", isComplete: true });
    const truth = sandbox.truth(SANDBOX_BATCHES.finished) ?? [];
    const completed = truth.filter((c) => c.status === "completed");
    const mean = completed.reduce((sum, c) => sum + (c.duration ?? 0), 0) / completed.length;
    expect(progress.averageCallDuration).toBeCloseTo(mean, 1);
    const lastEnd = Math.max(...truth.map((c) => c.endTime ?? 0));
    expect(progress.lastCompletedTime).toBe(lastEnd);
    expect(progress.completedTime).toBe(lastEnd);
    expect(progress.recent_calls).toHaveLength(10);
    const ends = progress.recent_calls.map((c) => c.completedAt ?? c.failedAt ?? 0);
    expect([...ends].sort((a, b) => b - a)).toEqual(ends);
    for (const recent of progress.recent_calls) {
      const call = truth.find((c) => c.jobId === recent.jobId);
      expect(call?.endTime).toBe(recent.completedAt ?? recent.failedAt);
      expect("failedAt" in recent).toBe(recent.status === "failed");
      expect(recent.error).toBe(call?.error);
    }
  });

  it("reports the live batch as processing with no completedTime", async () => {
    const body = statusSchema.parse((await get(sandbox, `/v1/api/batch-calls/${SANDBOX_BATCHES.live}`)).body);
    expect(body).toMatchObject({ status: "processing", isComplete: false, progress: { completedTime: null } });
    expect(body.timestamp).toBe(NOW);
  });

  it("answers an empty batch as completed", async () => {
    const body = statusSchema.parse((await get(sandbox, `/v1/api/batch-calls/${SANDBOX_BATCHES.empty}`)).body);
    expect(body).toMatchObject({ status: "completed", isComplete: true, totalCalls: 0 });
    expect(body.progress).toMatchObject({ total: 0, recent_calls: [], averageCallDuration: 0, lastCompletedTime: null });
  });
});

describe("sandbox contract: errors and auth", () => {
  const sandbox = createSandbox({
    credentials: [CREDS, { apiKey: "sk_second_9999", workspaceId: "ws_second" }],
    rateLimitPerMinute: 0,
    now: () => NOW,
  });

  it.each([["/v1/api/batch-calls/nope/calls"], ["/v1/api/batch-calls/nope"], ["/v1/api/batch-calls/nope/status"]])(
    "answers 404 {error, message} for an unknown batch at %s",
    async (path) => {
      const { res, body } = await get(sandbox, path);
      expect(res.status).toBe(404);
      expect(flatErrorSchema.parse(body)).toEqual({ error: "Batch not found", message: expect.any(String) });
    },
  );

  it("answers 404 for unknown paths and 405 for other methods", async () => {
    for (const path of ["/", "/v1/api/batch-calls/demo-finished/calls/x", "/v1/api/other"]) {
      const { res, body } = await get(sandbox, path);
      expect(res.status).toBe(404);
      expect(flatErrorSchema.parse(body).error).toBeTruthy();
    }
    const wrong: Array<[string, string, string]> = [
      ["GET", "/v1/api/batch-calls", "POST"],
      ["PUT", `/v1/api/batch-calls/${SANDBOX_BATCHES.finished}`, "GET, DELETE"],
      ["DELETE", `/v1/api/batch-calls/${SANDBOX_BATCHES.finished}/calls`, "GET"],
      ["POST", `/v1/api/batch-calls/${SANDBOX_BATCHES.finished}`, "GET, DELETE"],
    ];
    for (const [method, path, allow] of wrong) {
      const res = await sandbox.handle(new Request(`http://sandbox.test${path}`, { method, headers: AUTH }));
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get("allow")).toBe(allow);
      expect(flatErrorSchema.parse(await res.json()).error).toBeTruthy();
    }
  });

  it.each([
    ["no headers", {}],
    ["key only", { "x-api-key": CREDS.apiKey }],
    ["workspace only", { "x-workspace-id": CREDS.workspaceId }],
    ["wrong key", { "x-api-key": "sk_wrong", "x-workspace-id": CREDS.workspaceId }],
    ["wrong workspace", { "x-api-key": CREDS.apiKey, "x-workspace-id": "ws_wrong" }],
    ["pairs mixed up", { "x-api-key": CREDS.apiKey, "x-workspace-id": "ws_second" }],
  ])("answers 401 for %s, before anything else, without echoing the key", async (_label, headers: Record<string, string>) => {
    for (const path of [`/v1/api/batch-calls/${SANDBOX_BATCHES.finished}/calls`, "/v1/api/batch-calls/nope", "/unknown"]) {
      const { res, body, text } = await get(sandbox, path, headers);
      expect(res.status).toBe(401);
      expect(body).toEqual({ error: "Unauthorized" });
      expect(text).not.toContain("sk_");
    }
  });

  it("accepts each configured credential pair", async () => {
    const second = { "x-api-key": "sk_second_9999", "x-workspace-id": "ws_second" };
    expect((await get(sandbox, `/v1/api/batch-calls/${SANDBOX_BATCHES.finished}`, second)).res.status).toBe(200);
    expect((await get(sandbox, `/v1/api/batch-calls/${SANDBOX_BATCHES.finished}`)).res.status).toBe(200);
  });
});
