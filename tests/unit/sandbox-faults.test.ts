import { afterEach, describe, expect, it, vi } from "vitest";

import { createSandbox, parseFaultSpec, SANDBOX_BATCHES, type Sandbox, type SandboxFaultRule, type SandboxOptions } from "@/lib/sandbox";

// Fault injection (kinds, rule semantics, env spec) and the test-only control routes.

const CREDS = { apiKey: "sk_test_faults", workspaceId: "ws_faults" };
const AUTH = { "x-api-key": CREDS.apiKey, "x-workspace-id": CREDS.workspaceId };
const CONTROL = { "x-sandbox-control": "1", "content-type": "application/json" };
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const CALLS = (batchId: string = SANDBOX_BATCHES.finished) => `/v1/api/batch-calls/${batchId}/calls`;

function make(faults: SandboxFaultRule[] = [], overrides: Partial<SandboxOptions> = {}): Sandbox {
  return createSandbox({ credentials: [CREDS], rateLimitPerMinute: 0, now: () => NOW, faults, ...overrides });
}

function get(sandbox: Sandbox, path = CALLS(), init: RequestInit = {}): Promise<Response> {
  return sandbox.handle(new Request(`http://sandbox.test${path}`, { headers: AUTH, ...init }));
}

async function statuses(sandbox: Sandbox, n: number, path = CALLS()): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await get(sandbox, path)).status);
  return out;
}

function control(sandbox: Sandbox, method: string, path: string, body?: unknown, headers: Record<string, string> = CONTROL) {
  return sandbox.handle(
    new Request(`http://sandbox.test/__sandbox${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
  );
}

afterEach(() => {
  vi.useRealTimers();
});

describe("credentials fault", () => {
  it("answers valid credentials with 401 for the next N requests, as a revoked key would", async () => {
    const sandbox = make([{ kind: "401", count: 2 }]);
    expect(await statuses(sandbox, 3)).toEqual([401, 401, 200]);
    const body = await (
      await make([{ kind: "401", count: 1 }]).handle(new Request(`http://sandbox.test${CALLS()}`, { headers: AUTH }))
    ).json();
    expect(body).toEqual({ error: "Unauthorized" });
    expect(parseFaultSpec("401:1")).toEqual([{ kind: "401", count: 1 }]);
  });
});

describe("sandbox faults: kinds", () => {
  it("5xx answers flat error bodies, cycling 500/503/502, then recovers", async () => {
    const sandbox = make([{ kind: "5xx", count: 3 }]);
    const responses = [await get(sandbox), await get(sandbox), await get(sandbox), await get(sandbox)];
    expect(responses.map((r) => r.status)).toEqual([500, 503, 502, 200]);
    expect(await responses[0]?.json()).toEqual({ error: "Internal server error" });
    for (const res of responses.slice(0, 3)) expect(res.headers.get("content-type")).toBe("application/json");
  });

  it("timeout hangs until the caller aborts, then rejects and leaves no timer behind", async () => {
    vi.useFakeTimers();
    const sandbox = make([{ kind: "timeout", count: 1 }]);
    const controller = new AbortController();
    const pending = get(sandbox, CALLS(), { signal: controller.signal });
    let settled = false;
    void pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    await vi.advanceTimersByTimeAsync(60_000);
    expect(settled).toBe(false);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    expect(vi.getTimerCount()).toBe(0);
    expect(sandbox.stats().byStatus).toEqual({ aborted: 1 });
    expect((await get(sandbox)).status).toBe(200);
  });

  it("timeout gives up after 120 s with a 504 when nobody aborts", async () => {
    vi.useFakeTimers();
    const sandbox = make([{ kind: "timeout", count: 1 }]);
    const pending = get(sandbox);
    await vi.advanceTimersByTimeAsync(120_000);
    expect((await pending).status).toBe(504);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("429 bursts with the documented body even under the limit, without using the window", async () => {
    const sandbox = make([{ kind: "429", count: 2 }], { rateLimitPerMinute: 3 });
    const burst = await get(sandbox);
    expect(burst.status).toBe(429);
    expect(burst.headers.get("retry-after")).toBe("1");
    expect(await burst.json()).toEqual({
      error: { code: "rate_limit_exceeded", message: expect.any(String), reset_at: new Date(NOW + 1_000).toISOString() },
    });
    expect(await statuses(sandbox, 5)).toEqual([429, 200, 200, 200, 429]);
  });

  it("malformed answers 200 with a JSON content type and a truncated body", async () => {
    const sandbox = make([{ kind: "malformed", count: 1 }]);
    const res = await get(sandbox);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const text = await res.text();
    expect(text.startsWith('{"calls":[')).toBe(true);
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it("drift adds unknown fields and drops optional ones but keeps the data", async () => {
    const plain = (await (await get(make())).json()) as { calls: Array<Record<string, unknown>> };
    const sandbox = make([{ kind: "drift" }]);
    const body = (await (await get(sandbox)).json()) as {
      calls: Array<Record<string, unknown>>;
      pagination: Record<string, unknown>;
      summary: unknown;
      [key: string]: unknown;
    };
    expect(Object.keys(body)).toEqual(expect.arrayContaining(["calls", "pagination", "summary", "requestId"]));
    expect(body.pagination).not.toHaveProperty("hasPrev");
    expect(body.pagination).toMatchObject({ page: 1, total: 150, hasNext: true, cursor: null });
    expect(body.calls.map((c) => c.jobId)).toEqual(plain.calls.map((c) => c.jobId));
    for (const call of body.calls) expect(call).toHaveProperty("campaignId");
    const completed = body.calls.filter((c) => c.status === "completed");
    expect(completed.some((c) => !("duration" in c))).toBe(true);
    expect(body.calls.some((c) => c.status !== "waiting" && !("startTime" in c))).toBe(true);

    const nested = (await (await get(sandbox, `/v1/api/batch-calls/${SANDBOX_BATCHES.finished}`)).json()) as Record<
      string,
      Record<string, unknown>
    >;
    expect(nested).toHaveProperty("meta");
    expect(nested.progress).not.toHaveProperty("lastCompletedTime");
    expect(nested.progress).toMatchObject({ completed: expect.any(Number), queued: 0 });
    const flat = (await (await get(sandbox, `/v1/api/batch-calls/${SANDBOX_BATCHES.finished}/status`)).json()) as Record<string, unknown>;
    expect(flat).not.toHaveProperty("lastCompletedTime");
    expect(flat).toMatchObject({ id: SANDBOX_BATCHES.finished, queued: 0, requestId: expect.any(String) });
  });
});

describe("sandbox faults: rules", () => {
  it("afterRequests lets a walk get partway before failing", async () => {
    const sandbox = make([{ kind: "5xx", afterRequests: 3, count: 1 }]);
    expect(await statuses(sandbox, 6)).toEqual([200, 200, 200, 500, 200, 200]);
  });

  it("batchId limits a rule to one batch, and only batch endpoints of authenticated requests count", async () => {
    const sandbox = make([{ kind: "5xx", batchId: SANDBOX_BATCHES.live, count: 2 }]);
    expect(await statuses(sandbox, 2, CALLS(SANDBOX_BATCHES.finished))).toEqual([200, 200]);
    expect((await sandbox.handle(new Request(`http://sandbox.test${CALLS(SANDBOX_BATCHES.live)}`))).status).toBe(401);
    expect((await get(sandbox, "/v1/api/other")).status).toBe(404);
    expect(await statuses(sandbox, 3, CALLS(SANDBOX_BATCHES.live))).toEqual([500, 503, 200]);
  });

  it("applies rules in order: the first one that fires wins", async () => {
    const sandbox = make([
      { kind: "429", count: 1 },
      { kind: "5xx", count: 2 },
    ]);
    expect(await statuses(sandbox, 4)).toEqual([429, 500, 503, 200]);
  });

  it("a rule with neither count nor rate applies to every matching request", async () => {
    expect(await statuses(make([{ kind: "5xx" }]), 5)).toEqual([500, 503, 502, 500, 503]);
  });

  it("rate fires about that often, identically on every run", async () => {
    const run = async () => statuses(make([{ kind: "5xx", rate: 0.3 }]), 200);
    const first = await run();
    const failures = first.filter((s) => s >= 500).length;
    expect(failures).toBeGreaterThan(35);
    expect(failures).toBeLessThan(85);
    expect(await run()).toEqual(first);
  });

  it("setFaults replaces the rules and validates them", async () => {
    const sandbox = make([{ kind: "5xx" }]);
    sandbox.setFaults([]);
    expect(await statuses(sandbox, 2)).toEqual([200, 200]);
    expect(() => sandbox.setFaults([{ kind: "5xx", rate: 2 }])).toThrow(/rate/);
    expect(() => sandbox.setFaults([{ kind: "nope" as "5xx" }])).toThrow(/kind/);
    expect(() => createSandbox({ credentials: [CREDS], faults: [{ kind: "5xx", count: -1 }] })).toThrow(/count/);
  });
});

describe("parseFaultSpec", () => {
  it("reads rates (< 1) and counts (>= 1)", () => {
    expect(parseFaultSpec("5xx:0.05,timeout:0.01,429:3")).toEqual([
      { kind: "5xx", rate: 0.05 },
      { kind: "timeout", rate: 0.01 },
      { kind: "429", count: 3 },
    ]);
    expect(parseFaultSpec(" malformed : 1 , drift:0 ")).toEqual([
      { kind: "malformed", count: 1 },
      { kind: "drift", rate: 0 },
    ]);
    expect(parseFaultSpec("")).toEqual([]);
    expect(parseFaultSpec("  ,  ")).toEqual([]);
  });

  it.each([["bogus:1"], ["5xx"], ["5xx:"], ["5xx:abc"], ["5xx:-1"], ["5xx:1.5"], ["5xx:1e3"], ["5xx:0.1:2"], ["5xx:0.1;429:2"]])(
    "rejects %j with a message naming the entry",
    (spec) => {
      expect(() => parseFaultSpec(spec)).toThrow(/Invalid fault spec entry/);
    },
  );
});

describe("sandbox control routes", () => {
  it("do not exist unless enabled", async () => {
    const sandbox = make();
    for (const [method, path] of [
      ["GET", "/stats"],
      ["POST", "/faults"],
      ["GET", `/truth/${SANDBOX_BATCHES.finished}`],
    ] as const) {
      const res = await control(sandbox, method, path, method === "POST" ? { rules: [] } : undefined);
      expect(res.status).toBe(404);
    }
  });

  it("need the x-sandbox-control header", async () => {
    const sandbox = make([], { control: true });
    expect((await control(sandbox, "GET", "/stats", undefined, {})).status).toBe(403);
  });

  it("set and clear faults, validating the body", async () => {
    const sandbox = make([], { control: true });
    expect((await control(sandbox, "POST", "/faults", { rules: [{ kind: "5xx", count: 1 }] })).status).toBe(200);
    expect(await statuses(sandbox, 2)).toEqual([500, 200]);
    expect((await control(sandbox, "POST", "/faults", { rules: [{ kind: "5xx", rate: 7 }] })).status).toBe(400);
    expect((await control(sandbox, "POST", "/faults", { rule: [] })).status).toBe(400);
    const notJson = await sandbox.handle(
      new Request("http://sandbox.test/__sandbox/faults", { method: "POST", headers: CONTROL, body: "{" }),
    );
    expect(notJson.status).toBe(400);
    expect((await control(sandbox, "POST", "/faults", { rules: [{ kind: "5xx" }] })).status).toBe(200);
    expect((await control(sandbox, "DELETE", "/faults")).status).toBe(200);
    expect(await statuses(sandbox, 1)).toEqual([200]);
  });

  it("change the config and report stats and ground truth", async () => {
    let now = NOW;
    const sandbox = make([], { control: true, now: () => now });
    await statuses(sandbox, 2);
    await get(sandbox, "/v1/api/batch-calls/nope");
    expect(sandbox.stats()).toEqual({ requests: 3, byStatus: { "200": 2, "404": 1 } });
    const stats = await control(sandbox, "GET", "/stats");
    expect(await stats.json()).toEqual({ requests: 3, byStatus: { "200": 2, "404": 1 } });
    expect((await control(sandbox, "POST", "/stats/reset")).status).toBe(200);
    expect(sandbox.stats()).toEqual({ requests: 0, byStatus: {} });

    expect((await control(sandbox, "POST", "/config", { rateLimitPerMinute: 1, liveSpeed: 60 })).status).toBe(200);
    expect(await statuses(sandbox, 2)).toEqual([200, 429]);
    now += 2 * 60_000; // two hours of virtual time: the live batch is done
    expect(sandbox.summary(SANDBOX_BATCHES.live)).toMatchObject({ waiting: 0, active: 0 });
    expect((await control(sandbox, "POST", "/config", { restartLive: 0, liveSpeed: 1 })).status).toBe(200);
    expect(sandbox.summary(SANDBOX_BATCHES.live)?.waiting).toBeGreaterThan(1_950);
    expect((await control(sandbox, "POST", "/config", { latencyMs: -5 })).status).toBe(400);
    expect((await control(sandbox, "POST", "/config", { speed: 2 })).status).toBe(400);

    const truth = await control(sandbox, "GET", `/truth/${SANDBOX_BATCHES.failing}`);
    const body = (await truth.json()) as { calls: unknown[]; summary: unknown };
    expect(body.calls).toHaveLength(480);
    expect(body.summary).toEqual(sandbox.summary(SANDBOX_BATCHES.failing));
    expect((await control(sandbox, "GET", "/truth/nope")).status).toBe(404);
    expect((await control(sandbox, "GET", "/nothing")).status).toBe(404);
    // Control traffic is not upstream traffic.
    expect(sandbox.stats().requests).toBe(2);
  });

  it("add a finished batch that Trillet then serves, once per id", async () => {
    const sandbox = make([], { control: true });
    expect((await get(sandbox, CALLS("fresh-batch-1"))).status).toBe(404);
    const created = await control(sandbox, "POST", "/batches", { id: "fresh-batch-1", size: 240, failRate: 0.5 });
    expect(created.status).toBe(201);
    const { summary } = (await created.json()) as { summary: { total: number; failed: number; waiting: number; active: number } };
    expect(summary).toMatchObject({ total: 240, waiting: 0, active: 0 });
    expect(summary.failed).toBeGreaterThan(60);
    const page = await get(sandbox, `${CALLS("fresh-batch-1")}?status=failed&limit=100`);
    expect(page.status).toBe(200);
    expect(((await page.json()) as { pagination: { total: number } }).pagination.total).toBe(summary.failed);
    expect((await control(sandbox, "POST", "/batches", { id: "fresh-batch-1", size: 10 })).status).toBe(409);
    expect((await control(sandbox, "POST", "/batches", { id: "bad id", size: 10 })).status).toBe(400);
    expect((await control(sandbox, "POST", "/batches", { id: SANDBOX_BATCHES.finished, size: 10 })).status).toBe(409);
  });

  it("latency delays answers by the configured time", async () => {
    const sandbox = make([], { latencyMs: 60 });
    const started = performance.now();
    expect((await get(sandbox)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    sandbox.setLatency(0);
    const quick = performance.now();
    await get(sandbox);
    expect(performance.now() - quick).toBeLessThan(50);
  });
});
