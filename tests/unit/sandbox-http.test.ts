import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";

import { createSandbox, SANDBOX_BATCHES, type Sandbox } from "@/lib/sandbox";
import { startSandboxServer, type SandboxServer } from "@/lib/sandbox/node-server";

// The same contract through a real socket: the node:http adapter must not change a byte.

const CREDS = { apiKey: "sk_test_http_5678", workspaceId: "ws_http" };
const AUTH = { "x-api-key": CREDS.apiKey, "x-workspace-id": CREDS.workspaceId };

const pageSchema = z.strictObject({
  calls: z.array(
    z.strictObject({
      jobId: z.string(),
      status: z.string(),
      phone_number: z.string(),
      startTime: z.number().int().optional(),
      endTime: z.number().int().optional(),
      duration: z.number().optional(),
      error: z.string().optional(),
      metadata: z.record(z.string(), z.string()),
    }),
  ),
  pagination: z.strictObject({
    page: z.number(),
    limit: z.number(),
    total: z.number(),
    totalPages: z.number(),
    hasNext: z.boolean(),
    hasPrev: z.boolean(),
  }),
  summary: z.strictObject({ total: z.number(), waiting: z.number(), active: z.number(), completed: z.number(), failed: z.number() }),
});

let sandbox: Sandbox;
let server: SandboxServer;

beforeAll(async () => {
  sandbox = createSandbox({ credentials: [CREDS], rateLimitPerMinute: 0, control: true });
  server = await startSandboxServer(sandbox, { port: 0 });
});

afterAll(async () => {
  await server.close();
});

async function waitFor(check: () => boolean, ms = 2_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("sandbox over HTTP", () => {
  it("listens on a random local port", () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it("serves the same bytes as the in-process handler", async () => {
    const path = `/v1/api/batch-calls/${SANDBOX_BATCHES.finished}/calls?page=3&limit=50`;
    const res = await fetch(`${server.url}${path}`, { headers: AUTH });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const text = await res.text();
    expect(() => pageSchema.parse(JSON.parse(text))).not.toThrow();
    const direct = await sandbox.handle(new Request(`http://local${path}`, { headers: AUTH }));
    expect(text).toBe(await direct.text());
  });

  it("requires both credential headers", async () => {
    const res = await fetch(`${server.url}/v1/api/batch-calls/${SANDBOX_BATCHES.finished}/calls`, {
      headers: { "x-api-key": CREDS.apiKey },
    });
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: "Unauthorized" });
    expect(text).not.toContain(CREDS.apiKey);
  });

  it("passes request bodies through to the control routes", async () => {
    const set = await fetch(`${server.url}/__sandbox/faults`, {
      method: "POST",
      headers: { "x-sandbox-control": "1", "content-type": "application/json" },
      body: JSON.stringify({ rules: [{ kind: "5xx", count: 1, batchId: SANDBOX_BATCHES.failing }] }),
    });
    expect(set.status).toBe(200);
    const url = `${server.url}/v1/api/batch-calls/${SANDBOX_BATCHES.failing}`;
    expect((await fetch(url, { headers: AUTH })).status).toBe(500);
    expect((await fetch(url, { headers: AUTH })).status).toBe(200);
  });

  it("aborts a hanging (timeout) request when the client disconnects", async () => {
    sandbox.resetStats();
    sandbox.setFaults([{ kind: "timeout", count: 1 }]);
    const started = Date.now();
    await expect(
      fetch(`${server.url}/v1/api/batch-calls/${SANDBOX_BATCHES.finished}/calls`, { headers: AUTH, signal: AbortSignal.timeout(150) }),
    ).rejects.toMatchObject({ name: "TimeoutError" });
    expect(Date.now() - started).toBeLessThan(2_000);
    await waitFor(() => sandbox.stats().byStatus.aborted === 1);
    sandbox.setFaults([]);
  });

  it("closes promptly even with a request still hanging", async () => {
    const own = await startSandboxServer(createSandbox({ credentials: [CREDS], faults: [{ kind: "timeout" }] }));
    const hanging = fetch(`${own.url}/v1/api/batch-calls/${SANDBOX_BATCHES.live}`, { headers: AUTH });
    const settled = hanging.then(
      () => "resolved",
      () => "rejected",
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await settled).toBe("rejected");
    await expect(fetch(`${own.url}/v1/api/batch-calls/${SANDBOX_BATCHES.live}`, { headers: AUTH })).rejects.toThrow();
  });
});
