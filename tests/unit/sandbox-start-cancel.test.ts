import Papa from "papaparse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";

import { createSandbox, SANDBOX_BATCHES, type Sandbox, type SandboxCall, type SandboxOptions } from "@/lib/sandbox";
import { startSandboxServer, type SandboxServer } from "@/lib/sandbox/node-server";

// POST /v1/api/batch-calls (start a batch from a CSV) and DELETE /v1/api/batch-calls/{id}
// (cancel), pinned to the contract: shapes, validation with Trillet's error body, rows kept
// exactly as uploaded, the sandbox clock, and cancellation that stops waiting calls only.

const CREDS = { apiKey: "sk_test_start_cancel", workspaceId: "ws_start_cancel" };
const AUTH = { "x-api-key": CREDS.apiKey, "x-workspace-id": CREDS.workspaceId };
const START = Date.UTC(2026, 11, 1, 12, 0, 0);
const BASE = "http://sandbox.test/v1/api/batch-calls";

const flatError = z.strictObject({ error: z.string().min(1), message: z.string().min(1) });
const created = z.strictObject({
  batchId: z.string().regex(/^[0-9a-f]{24}$/),
  totalCalls: z.number().int(),
  status: z.literal("queued"),
  message: z.string(),
});

function make(overrides: Partial<SandboxOptions> = {}) {
  let now = START;
  const sandbox = createSandbox({ credentials: [CREDS], rateLimitPerMinute: 0, now: () => now, ...overrides });
  return { sandbox, advance: (ms: number) => (now += ms), at: () => now };
}

// Values a spreadsheet would treat as formulas, and ones that need CSV quoting: Trillet must get
// each exactly as written.
const ROWS = [
  { phone_number: "+15550000001", first_name: "Alice", company: '=HYPERLINK("http://x.example","x")', notes: "" },
  { phone_number: "+15550000002", first_name: "Bob", company: "+Plus Media", notes: "Line one\nLine two" },
  { phone_number: "+15550000003", first_name: "Chloé", company: "-2+3", notes: 'She said "call me"' },
  { phone_number: "+15550000004", first_name: "結衣", company: "@Home Realty", notes: "  padded  " },
];

function csvOf(rows: Array<Record<string, string>>): string {
  return Papa.unparse(rows, { newline: "\r\n" });
}

function form(fields: Record<string, string | Blob>): FormData {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  return body;
}

const file = (text: string) => new Blob([text], { type: "text/csv" });

async function post(sandbox: Sandbox, body: FormData | string, headers: Record<string, string> = AUTH) {
  const res = await sandbox.handle(new Request(BASE, { method: "POST", headers, body }));
  return { res, body: (await res.json()) as unknown };
}

async function del(sandbox: Sandbox, batchId: string) {
  const res = await sandbox.handle(new Request(`${BASE}/${batchId}`, { method: "DELETE", headers: AUTH }));
  return { res, body: (await res.json()) as unknown };
}

async function status(sandbox: Sandbox, batchId: string) {
  const res = await sandbox.handle(new Request(`${BASE}/${batchId}`, { headers: AUTH }));
  expect(res.status).toBe(200);
  return (await res.json()) as {
    status: string;
    isComplete: boolean;
    totalCalls: number;
    progress: { waiting: number; active: number; completed: number; failed: number; startTime: number };
  };
}

async function start(sandbox: Sandbox, rows: Array<Record<string, string>> = ROWS, extra: Record<string, string> = {}) {
  const { res, body } = await post(sandbox, form({ file: file(csvOf(rows)), agentId: "agent_1", ...extra }));
  expect(res.status).toBe(200);
  return created.parse(body);
}

describe("sandbox POST /batch-calls: starting a batch", () => {
  it("answers { batchId, totalCalls, status: queued, message } and serves the rows exactly as uploaded", async () => {
    const { sandbox } = make();
    const answer = await start(sandbox);
    expect(answer.totalCalls).toBe(ROWS.length);
    const calls = sandbox.truth(answer.batchId) as SandboxCall[];
    expect(calls.map((c) => ({ phone_number: c.phone_number, ...c.metadata }))).toEqual(ROWS);
    // The list endpoint serves the same rows, with fresh job ids.
    const res = await sandbox.handle(new Request(`${BASE}/${answer.batchId}/calls?limit=100`, { headers: AUTH }));
    const page = (await res.json()) as { calls: SandboxCall[]; summary: { total: number } };
    expect(page.summary.total).toBe(ROWS.length);
    expect(page.calls.map((c) => ({ phone_number: c.phone_number, ...c.metadata }))).toEqual(ROWS);
    expect(new Set(page.calls.map((c) => c.jobId)).size).toBe(ROWS.length);
  });

  it("records what the request carried: agent, schedule and smart callback settings", async () => {
    const { sandbox } = make();
    const at = new Date(START + 3_600_000).toISOString();
    const { batchId } = await start(sandbox, ROWS.slice(0, 1), {
      scheduledAt: at,
      smartCallbackConfig: '{"enabled":true,"maxAttempts":2}',
    });
    expect(sandbox.created()).toEqual([
      {
        batchId,
        receivedAt: START,
        agentId: "agent_1",
        scheduledAt: START + 3_600_000,
        smartCallbackConfig: { enabled: true, maxAttempts: 2 },
        rows: [{ phone: ROWS[0]?.phone_number, metadata: { first_name: "Alice", company: ROWS[0]?.company, notes: "" } }],
      },
    ]);
  });

  it("runs the new batch on the sandbox clock: queued, then processing, then completed", async () => {
    const { sandbox, advance } = make();
    const rows = Array.from({ length: 60 }, (_, i) => ({ phone_number: `+1555100${String(i).padStart(4, "0")}`, name: `n${i}` }));
    const { batchId } = await start(sandbox, rows);
    const first = await status(sandbox, batchId);
    expect(first).toMatchObject({ status: "queued", isComplete: false, totalCalls: 60 });
    expect(first.progress.startTime).toBe(START);
    advance(10_000);
    expect((await status(sandbox, batchId)).status).toBe("processing");
    advance(24 * 3_600_000);
    const done = await status(sandbox, batchId);
    expect(done).toMatchObject({ status: "completed", isComplete: true });
    expect(done.progress.completed + done.progress.failed).toBe(60);
  });

  it("waits for scheduledAt before the first call starts", async () => {
    const { sandbox, advance } = make();
    const { batchId } = await start(sandbox, ROWS, { scheduledAt: String(START + 600_000) });
    advance(599_000);
    const before = await status(sandbox, batchId);
    expect(before.status).toBe("queued");
    expect(before.progress.startTime).toBe(START + 600_000);
    advance(60_000);
    expect((await status(sandbox, batchId)).progress.waiting).toBeLessThan(ROWS.length);
  });

  it("runs faster with the live speed, for uploaded batches too", async () => {
    const { sandbox, advance } = make();
    const { batchId } = await start(sandbox);
    sandbox.setLiveSpeed(1_000);
    advance(10_000);
    expect((await status(sandbox, batchId)).isComplete).toBe(true);
  });

  it("fails the configured share of calls (uploadFailRate)", async () => {
    const { sandbox, advance } = make({ uploadFailRate: 1 });
    const { batchId } = await start(sandbox);
    advance(24 * 3_600_000);
    expect((await status(sandbox, batchId)).progress.failed).toBe(ROWS.length);
  });

  const header = "phone_number,first_name";
  it.each([
    ["a JSON body", () => JSON.stringify({ agentId: "a" }), /multipart/],
    ["no file", () => form({ agentId: "agent_1" }), /"file"/],
    ["a file without agentId", () => form({ file: file(`${header}\r\n+15550000001,A`) }), /agentId/],
    ["an empty file", () => form({ file: file(""), agentId: "a" }), /empty/],
    ["a header without rows", () => form({ file: file(header), agentId: "a" }), /no rows/],
    ["no phone_number column", () => form({ file: file("phone,first_name\r\n+15550000001,A"), agentId: "a" }), /phone_number/],
    ["a phone number that is not E.164", () => form({ file: file(`${header}\r\n+15550000001,A\r\n555-1234,B`), agentId: "a" }), /Row 3/],
    ["a row with a missing field", () => form({ file: file(`${header}\r\n+15550000001`), agentId: "a" }), /Row 2 has 1 fields/],
    ["a column named twice", () => form({ file: file("phone_number,a,a\r\n+15550000001,x,y"), agentId: "a" }), /twice/],
    ["a bad scheduledAt", () => form({ file: file(`${header}\r\n+15550000001,A`), agentId: "a", scheduledAt: "tomorrow" }), /scheduledAt/],
    [
      "a smartCallbackConfig that is not an object",
      () => form({ file: file(`${header}\r\n+15550000001,A`), agentId: "a", smartCallbackConfig: "[1]" }),
      /smartCallbackConfig/,
    ],
  ])("refuses %s with 400 and Trillet's flat error body, creating nothing", async (_label, body, message) => {
    const { sandbox } = make();
    const headers = typeof body() === "string" ? { ...AUTH, "content-type": "application/json" } : AUTH;
    const answer = await post(sandbox, body(), headers);
    expect(answer.res.status).toBe(400);
    expect(flatError.parse(answer.body).message).toMatch(message);
    expect(sandbox.created()).toEqual([]);
  });

  it("refuses a file over 20 MB with 413", async () => {
    const { sandbox } = make();
    const big = new Blob([`${header}\r\n`, "x".repeat(20 * 1024 * 1024)]);
    const answer = await post(sandbox, form({ file: big, agentId: "a" }));
    expect(answer.res.status).toBe(413);
    expect(flatError.parse(answer.body).error).toBe("File too large");
    expect(sandbox.created()).toEqual([]);
  });

  it("needs credentials before reading anything, and counts toward the rate limit", async () => {
    const { sandbox } = make({ rateLimitPerMinute: 1 });
    const denied = await post(sandbox, form({ file: file(csvOf(ROWS)), agentId: "a" }), {});
    expect(denied.res.status).toBe(401);
    await start(sandbox);
    const limited = await post(sandbox, form({ file: file(csvOf(ROWS)), agentId: "a" }));
    expect(limited.res.status).toBe(429);
    expect(sandbox.created()).toHaveLength(1);
  });

  it("on an injected timeout, creates the batch and never answers (the outcome a client cannot know)", async () => {
    const { sandbox } = make({ faults: [{ kind: "timeout", method: "POST", count: 1 }] });
    const controller = new AbortController();
    const pending = sandbox.handle(
      new Request(BASE, {
        method: "POST",
        headers: AUTH,
        body: form({ file: file(csvOf(ROWS)), agentId: "a" }),
        signal: controller.signal,
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await expect(pending).rejects.toThrow();
    const [batch] = sandbox.created();
    expect(batch?.rows).toHaveLength(ROWS.length);
    expect(sandbox.truth(batch?.batchId ?? "")).toHaveLength(ROWS.length);
    // The rule was for POST only: reads are untouched, and the next POST answers.
    await start(sandbox);
    expect(sandbox.created()).toHaveLength(2);
  });
});

describe("sandbox DELETE /batch-calls/{id}: cancelling", () => {
  const many = Array.from({ length: 200 }, (_, i) => ({ phone_number: `+1555200${String(i).padStart(4, "0")}`, n: String(i) }));

  it("stops waiting calls, lets active ones finish, and the status endpoint says cancelled", async () => {
    const { sandbox, advance } = make();
    const { batchId } = await start(sandbox, many);
    advance(30_000);
    const before = await status(sandbox, batchId);
    expect(before.progress.active).toBeGreaterThan(0);
    expect(before.progress.waiting).toBeGreaterThan(0);

    const { res, body } = await del(sandbox, batchId);
    expect(res.status).toBe(200);
    expect(body).toEqual({ batchId, status: "cancelled", message: expect.any(String) });
    const right = await status(sandbox, batchId);
    expect(right).toMatchObject({ status: "cancelled", isComplete: false });

    advance(24 * 3_600_000);
    const after = await status(sandbox, batchId);
    expect(after).toMatchObject({ status: "cancelled", isComplete: true });
    // Nothing that was waiting started; everything active then ended.
    expect(after.progress.waiting).toBe(before.progress.waiting);
    expect(after.progress.active).toBe(0);
    expect(after.progress.completed + after.progress.failed).toBe(
      before.progress.completed + before.progress.failed + before.progress.active,
    );
    const calls = sandbox.truth(batchId) as SandboxCall[];
    expect(calls.filter((c) => c.status === "waiting").every((c) => c.startTime === undefined)).toBe(true);
  });

  it("answers a second cancel the same way, and refuses finished or unknown batches", async () => {
    const { sandbox } = make();
    const { batchId } = await start(sandbox, many);
    expect((await del(sandbox, batchId)).res.status).toBe(200);
    expect((await del(sandbox, batchId)).body).toMatchObject({ batchId, status: "cancelled" });
    const finished = await del(sandbox, SANDBOX_BATCHES.finished);
    expect(finished.res.status).toBe(400);
    expect(flatError.parse(finished.body).error).toBe("Batch already completed");
    const unknown = await del(sandbox, "nope");
    expect(unknown.res.status).toBe(404);
    expect(flatError.parse(unknown.body).error).toBe("Batch not found");
  });

  it("can cancel the live demo batch, and restarting it clears the cancellation", async () => {
    const { sandbox, advance } = make();
    expect((await del(sandbox, SANDBOX_BATCHES.live)).res.status).toBe(200);
    expect((await status(sandbox, SANDBOX_BATCHES.live)).status).toBe("cancelled");
    const waiting = (await status(sandbox, SANDBOX_BATCHES.live)).progress.waiting;
    advance(3_600_000);
    expect((await status(sandbox, SANDBOX_BATCHES.live)).progress.waiting).toBe(waiting);
    sandbox.restartLive();
    expect((await status(sandbox, SANDBOX_BATCHES.live)).status).toBe("processing");
  });
});

describe("sandbox start and cancel over HTTP", () => {
  let server: SandboxServer;
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = createSandbox({ credentials: [CREDS], rateLimitPerMinute: 0, control: true });
    server = await startSandboxServer(sandbox);
  });
  afterAll(() => server.close());

  it("takes a multipart upload through node:http and lists what it received on the control route", async () => {
    const res = await fetch(`${server.url}/v1/api/batch-calls`, {
      method: "POST",
      headers: AUTH,
      body: form({ file: file(csvOf(ROWS)), agentId: "agent_http" }),
    });
    expect(res.status).toBe(200);
    const { batchId } = created.parse(await res.json());
    const control = await fetch(`${server.url}/__sandbox/created`, { headers: { "x-sandbox-control": "1" } });
    const { batches } = (await control.json()) as { batches: Array<{ batchId: string; agentId: string; rows: unknown[] }> };
    expect(batches.map((b) => [b.batchId, b.agentId, b.rows.length])).toEqual([[batchId, "agent_http", ROWS.length]]);
    const cancel = await fetch(`${server.url}/v1/api/batch-calls/${batchId}`, { method: "DELETE", headers: AUTH });
    expect(cancel.status).toBe(200);
  });

  it("answers 413 to a body over the limit instead of dropping the connection", async () => {
    const big = new Blob(["phone_number\r\n", "x".repeat(21 * 1024 * 1024)]);
    const res = await fetch(`${server.url}/v1/api/batch-calls`, { method: "POST", headers: AUTH, body: form({ file: big, agentId: "a" }) });
    expect(res.status).toBe(413);
    expect(flatError.parse(await res.json()).error).toBe("File too large");
  });
});
