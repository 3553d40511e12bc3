import { describe, expect, it } from "vitest";
import { z } from "zod";

import { createSandbox, SANDBOX_BATCHES, type Sandbox, type SandboxOptions } from "@/lib/sandbox";

// The documented rate limit: a sliding 60 s window per API key, 429 with the nested error body.

const CREDS = { apiKey: "sk_test_rate", workspaceId: "ws_rate" };
const OTHER = { apiKey: "sk_test_rate_other", workspaceId: "ws_rate_other" };
const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const PATH = `/v1/api/batch-calls/${SANDBOX_BATCHES.finished}/calls`;

const rateLimitBody = z.strictObject({
  error: z.strictObject({
    code: z.literal("rate_limit_exceeded"),
    message: z.string().min(1),
    reset_at: z.iso.datetime(),
  }),
});

function setup(overrides: Partial<SandboxOptions> = {}) {
  const clock = { now: T0 };
  const sandbox = createSandbox({ credentials: [CREDS, OTHER], rateLimitPerMinute: 5, now: () => clock.now, ...overrides });
  return { sandbox, clock };
}

function call(sandbox: Sandbox, creds = CREDS, path = PATH): Promise<Response> {
  return sandbox.handle(
    new Request(`http://sandbox.test${path}`, { headers: { "x-api-key": creds.apiKey, "x-workspace-id": creds.workspaceId } }),
  );
}

describe("sandbox rate limit", () => {
  it("answers the 6th request in a minute with the documented 429", async () => {
    const { sandbox, clock } = setup();
    for (let i = 0; i < 5; i++) {
      clock.now = T0 + i * 1_000;
      expect((await call(sandbox)).status).toBe(200);
    }
    clock.now = T0 + 5_500;
    const res = await call(sandbox);
    expect(res.status).toBe(429);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = rateLimitBody.parse(await res.json());
    // The oldest request (T0) leaves the window at T0 + 60 s: 54.5 s away, rounded up.
    expect(body.error.reset_at).toBe(new Date(T0 + 60_000).toISOString());
    expect(res.headers.get("retry-after")).toBe("55");
  });

  it("slides: each slot frees exactly when its request is 60 s old", async () => {
    const { sandbox, clock } = setup();
    for (let i = 0; i < 5; i++) {
      clock.now = T0 + i * 1_000;
      await call(sandbox);
    }
    clock.now = T0 + 59_999;
    expect((await call(sandbox)).status).toBe(429);
    clock.now = T0 + 60_000;
    expect((await call(sandbox)).status).toBe(200);
    const again = await call(sandbox);
    expect(again.status).toBe(429);
    expect(rateLimitBody.parse(await again.json()).error.reset_at).toBe(new Date(T0 + 61_000).toISOString());
    clock.now = T0 + 120_000;
    for (let i = 0; i < 5; i++) expect((await call(sandbox)).status).toBe(200);
  });

  it("does not count rejected requests toward the window", async () => {
    const { sandbox, clock } = setup();
    for (let i = 0; i < 5; i++) await call(sandbox);
    for (let i = 0; i < 20; i++) {
      clock.now = T0 + 30_000 + i * 1_000;
      expect((await call(sandbox)).status).toBe(429);
    }
    clock.now = T0 + 60_000;
    for (let i = 0; i < 5; i++) expect((await call(sandbox)).status).toBe(200);
  });

  it("keeps a separate window per API key", async () => {
    const { sandbox } = setup();
    for (let i = 0; i < 5; i++) await call(sandbox);
    expect((await call(sandbox)).status).toBe(429);
    expect((await call(sandbox, OTHER)).status).toBe(200);
  });

  it("counts every authenticated request, errors included, but not 401s", async () => {
    const { sandbox } = setup();
    const anonymous = await sandbox.handle(new Request(`http://sandbox.test${PATH}`));
    expect(anonymous.status).toBe(401);
    expect((await call(sandbox, CREDS, "/v1/api/batch-calls/nope/calls")).status).toBe(404);
    expect((await call(sandbox, CREDS, `${PATH}?limit=0`)).status).toBe(400);
    for (let i = 0; i < 3; i++) expect((await call(sandbox)).status).toBe(200);
    expect((await call(sandbox)).status).toBe(429);
  });

  it("can leave out Retry-After", async () => {
    const { sandbox } = setup({ rateLimitRetryAfterHeader: false });
    for (let i = 0; i < 5; i++) await call(sandbox);
    const res = await call(sandbox);
    expect(res.status).toBe(429);
    expect(res.headers.has("retry-after")).toBe(false);
    expect(rateLimitBody.safeParse(await res.json()).success).toBe(true);
  });

  it("defaults to 60 per minute, treats 0 as unlimited, and can be changed at run time", async () => {
    const { sandbox } = setup({ rateLimitPerMinute: undefined });
    for (let i = 0; i < 60; i++) expect((await call(sandbox)).status).toBe(200);
    expect((await call(sandbox)).status).toBe(429);
    sandbox.setRateLimit(0);
    for (let i = 0; i < 100; i++) expect((await call(sandbox)).status).toBe(200);
    sandbox.setRateLimit(2);
    expect((await call(sandbox, OTHER)).status).toBe(200);
    expect((await call(sandbox, OTHER)).status).toBe(200);
    expect((await call(sandbox, OTHER)).status).toBe(429);
  });
});
