import { describe, expect, it } from "vitest";

import { createSandbox, SANDBOX_BATCHES, type Sandbox, type SandboxCall, type SandboxOptions } from "@/lib/sandbox";

// The demo data: deterministic, tricky where it should be, and a live batch driven by the clock.

const CREDS = { apiKey: "sk_test_batches", workspaceId: "ws_batches" };
const AUTH = { "x-api-key": CREDS.apiKey, "x-workspace-id": CREDS.workspaceId };
const START = Date.UTC(2026, 11, 1, 12, 0, 0);

function make(overrides: Partial<SandboxOptions> = {}): Sandbox {
  return createSandbox({ credentials: [CREDS], rateLimitPerMinute: 0, now: () => START, ...overrides });
}

async function text(sandbox: Sandbox, path: string): Promise<string> {
  const res = await sandbox.handle(new Request(`http://sandbox.test${path}`, { headers: AUTH }));
  expect(res.status).toBe(200);
  return res.text();
}

async function calls(sandbox: Sandbox, batchId: string, query: string): Promise<SandboxCall[]> {
  return (JSON.parse(await text(sandbox, `/v1/api/batch-calls/${batchId}/calls?${query}`)) as { calls: SandboxCall[] }).calls;
}

function metadataValues(list: SandboxCall[]): string[] {
  return list.flatMap((c) => Object.values(c.metadata));
}

/** Each kind of value that breaks CSV writers, spreadsheets or renderers. */
const TRICKY: Array<[string, (value: string) => boolean]> = [
  ["comma", (v) => v.includes(",")],
  ["double quote", (v) => v.includes('"')],
  ["LF", (v) => /[^\r]\n/.test(v)],
  ["CRLF", (v) => v.includes("\r\n")],
  ["Japanese", (v) => /\p{Script=Hiragana}|\p{Script=Katakana}/u.test(v)],
  ["Arabic", (v) => /\p{Script=Arabic}/u.test(v)],
  ["Greek", (v) => /\p{Script=Greek}/u.test(v)],
  ["Cyrillic", (v) => /\p{Script=Cyrillic}/u.test(v)],
  ["Hindi", (v) => /\p{Script=Devanagari}/u.test(v)],
  ["emoji", (v) => /\p{Extended_Pictographic}/u.test(v)],
  ["emoji ZWJ sequence", (v) => /\p{Extended_Pictographic}\u200d\p{Extended_Pictographic}/u.test(v)],
  ["=formula", (v) => v.startsWith("=HYPERLINK(")],
  ["+formula", (v) => v.startsWith("+")],
  ["-formula", (v) => v.startsWith("-")],
  ["@formula", (v) => v.startsWith("@")],
  ["tab formula", (v) => v.startsWith("\t=")],
  ["CR formula", (v) => v.startsWith("\r=")],
];

describe("sandbox batches: determinism and identity", () => {
  it("serves byte-identical finished pages from two sandboxes created at different times", async () => {
    const a = make({ now: () => START });
    const b = make({ now: () => START + 86_400_000 });
    const paths = [
      ...Array.from({ length: 8 }, (_, i) => `/v1/api/batch-calls/${SANDBOX_BATCHES.finished}/calls?page=${i + 1}`),
      `/v1/api/batch-calls/${SANDBOX_BATCHES.failing}/calls?status=failed&page=2&limit=100`,
      `/v1/api/batch-calls/${SANDBOX_BATCHES.large}/calls?page=1000&limit=100`,
      `/v1/api/batch-calls/${SANDBOX_BATCHES.large}/calls?page=37&limit=100&status=failed`,
    ];
    for (const path of paths) expect(await text(a, path)).toBe(await text(b, path));
    const progress = async (s: Sandbox) =>
      JSON.stringify((JSON.parse(await text(s, `/v1/api/batch-calls/${SANDBOX_BATCHES.finished}`)) as { progress: unknown }).progress);
    expect(await progress(a)).toBe(await progress(b));
  });

  it("uses fixed past timestamps for finished batches", () => {
    const truth = make().truth(SANDBOX_BATCHES.finished) ?? [];
    const starts = truth.map((c) => c.startTime ?? 0);
    expect(Math.min(...starts)).toBeGreaterThanOrEqual(Date.UTC(2026, 10, 20, 9, 0, 0));
    expect(Math.max(...truth.map((c) => c.endTime ?? 0))).toBeLessThan(Date.UTC(2026, 10, 20, 12, 0, 0));
  });

  it("gives unique job ids and unique E.164 numbers from several countries", () => {
    const sandbox = make();
    for (const batchId of [SANDBOX_BATCHES.finished, SANDBOX_BATCHES.live, SANDBOX_BATCHES.failing]) {
      const truth = sandbox.truth(batchId) ?? [];
      expect(new Set(truth.map((c) => c.jobId)).size).toBe(truth.length);
      expect(new Set(truth.map((c) => c.phone_number)).size).toBe(truth.length);
      for (const call of truth) expect(call.phone_number).toMatch(/^\+[1-9]\d{7,14}$/);
      expect(new Set(truth.map((c) => c.phone_number.slice(0, 3))).size).toBeGreaterThanOrEqual(5);
    }
  });

  it("splits demo-finished roughly 80/20 between completed and failed", () => {
    const summary = make().summary(SANDBOX_BATCHES.finished);
    expect(summary).toMatchObject({ total: 150, waiting: 0, active: 0 });
    expect((summary?.completed ?? 0) / 150).toBeGreaterThan(0.7);
    expect((summary?.completed ?? 0) / 150).toBeLessThan(0.9);
  });
});

describe("sandbox batches: metadata", () => {
  it("puts every tricky kind of value into demo-finished and into demo-large, early and late", async () => {
    const sandbox = make();
    const sets = {
      finished: metadataValues(sandbox.truth(SANDBOX_BATCHES.finished) ?? []),
      largeStart: metadataValues(await calls(sandbox, SANDBOX_BATCHES.large, "page=1&limit=100")),
      largeEnd: metadataValues(await calls(sandbox, SANDBOX_BATCHES.large, "page=1000&limit=100")),
    };
    for (const [label, values] of Object.entries(sets)) {
      for (const [kind, test] of TRICKY) expect(values.some(test), `${label} has ${kind}`).toBe(true);
    }
  });

  it("has first_name, last_name, email and custom columns, with gaps so the key union matters", () => {
    const truth = make().truth(SANDBOX_BATCHES.finished) ?? [];
    const union = new Set(truth.flatMap((c) => Object.keys(c.metadata)));
    expect([...union]).toEqual(expect.arrayContaining(["first_name", "last_name", "email", "company", "plan", "notes", "region"]));
    for (const call of truth) {
      expect(call.metadata).toHaveProperty("first_name");
      expect(call.metadata).toHaveProperty("email");
      for (const value of Object.values(call.metadata)) expect(typeof value).toBe("string");
    }
    expect(truth.some((c) => !("plan" in c.metadata))).toBe(true);
    expect(truth.some((c) => !("region" in c.metadata))).toBe(true);
  });
});

describe("sandbox batches: demo-failing", () => {
  const truth = make().truth(SANDBOX_BATCHES.failing) ?? [];

  it("fails most calls with a long tail of reasons and spelling variants", () => {
    const failed = truth.filter((c) => c.status === "failed");
    expect(truth.length).toBeGreaterThanOrEqual(450);
    expect(failed.length / truth.length).toBeGreaterThan(0.78);
    const raw = new Set(failed.map((c) => c.error ?? ""));
    const normalised = new Set(
      [...raw].map((r) =>
        r
          .trim()
          .replace(/[.!]+$/, "")
          .toLowerCase(),
      ),
    );
    expect(normalised.size).toBeGreaterThanOrEqual(8);
    expect(raw.size).toBeGreaterThan(normalised.size);
    for (const variant of ["number busy", "Number busy.", " Number busy "]) expect(raw.has(variant), variant).toBe(true);
    const counts = new Map<string, number>();
    for (const call of failed) counts.set(call.error ?? "", (counts.get(call.error ?? "") ?? 0) + 1);
    const [top] = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    expect(top?.[0]).toBe("Number busy");
  });

  it("adds a custom column that only later rows carry", () => {
    const firstWith = truth.findIndex((c) => "callback_window" in c.metadata);
    expect(firstWith).toBeGreaterThan(100);
    expect(truth.slice(firstWith).filter((c) => "callback_window" in c.metadata).length).toBeGreaterThan(50);
  });
});

describe("sandbox batches: demo-large", () => {
  it("serves deep and status-filtered pages quickly", async () => {
    const sandbox = make();
    let started = performance.now();
    const last = JSON.parse(await text(sandbox, `/v1/api/batch-calls/${SANDBOX_BATCHES.large}/calls?page=1000&limit=100`)) as {
      calls: SandboxCall[];
      pagination: { hasNext: boolean; totalPages: number; total: number };
    };
    const firstMs = performance.now() - started;
    expect(last.calls).toHaveLength(100);
    expect(last.pagination).toMatchObject({ total: 100_000, totalPages: 1000, hasNext: false });
    expect(last.calls.at(-1)?.jobId).toMatch(/0{7}1869f$/);

    started = performance.now();
    const failedPage = await calls(sandbox, SANDBOX_BATCHES.large, "page=150&limit=100&status=failed");
    const completedPage = await calls(sandbox, SANDBOX_BATCHES.large, "page=700&limit=100&status=completed");
    const warmMs = performance.now() - started;
    expect(failedPage).toHaveLength(100);
    expect(failedPage.every((c) => c.status === "failed" && typeof c.error === "string")).toBe(true);
    expect(completedPage.every((c) => c.status === "completed")).toBe(true);
    expect(firstMs).toBeLessThan(3_000);
    expect(warmMs).toBeLessThan(100);
  });
});

describe("sandbox batches: demo-live", () => {
  it("moves calls waiting -> active -> finished as the injected clock runs, never backwards", () => {
    let now = START;
    const sandbox = make({ now: () => now });
    const initial = sandbox.summary(SANDBOX_BATCHES.live);
    expect(initial?.total).toBe(2_000);
    expect(initial?.waiting).toBeGreaterThan(1_800);
    expect((initial?.completed ?? 0) + (initial?.failed ?? 0)).toBeGreaterThan(0);
    expect(initial?.active).toBeGreaterThan(10);

    let finished = 0;
    const statusOf = new Map<string, string>();
    const rank = { waiting: 0, active: 1, completed: 2, failed: 2 } as const;
    for (let minute = 0; minute <= 90; minute += 3) {
      now = START + minute * 60_000;
      const summary = sandbox.summary(SANDBOX_BATCHES.live);
      const done = (summary?.completed ?? 0) + (summary?.failed ?? 0);
      expect(done).toBeGreaterThanOrEqual(finished);
      finished = done;
      if (minute % 15 === 0) {
        for (const call of sandbox.truth(SANDBOX_BATCHES.live) ?? []) {
          const before = statusOf.get(call.jobId) ?? "waiting";
          expect(rank[call.status]).toBeGreaterThanOrEqual(rank[before as keyof typeof rank]);
          if (rank[before as keyof typeof rank] === 2) expect(call.status).toBe(before);
          statusOf.set(call.jobId, call.status);
        }
      }
      if (minute === 30) expect(summary?.waiting).toBeGreaterThan(0);
    }
    // Roughly an hour at speed 1: done well before 90 minutes.
    expect(sandbox.summary(SANDBOX_BATCHES.live)).toMatchObject({ waiting: 0, active: 0 });
  });

  it("uses virtual timestamps that lie before the virtual now", () => {
    const sandbox = make({ liveSpeed: 60 });
    const truth = sandbox.truth(SANDBOX_BATCHES.live) ?? [];
    for (const call of truth) {
      if (call.startTime !== undefined) expect(call.startTime).toBeLessThanOrEqual(START);
      if (call.endTime !== undefined) expect(call.endTime).toBeLessThanOrEqual(START);
    }
    expect(Math.min(...truth.map((c) => c.startTime ?? Infinity))).toBeGreaterThanOrEqual(START - 90_000);
  });

  it("speeds up without jumping and restarts from near the beginning", () => {
    let now = START;
    const sandbox = make({ now: () => now, liveStartedSecondsAgo: 600 });
    const at10min = sandbox.summary(SANDBOX_BATCHES.live);
    sandbox.setLiveSpeed(60);
    expect(sandbox.summary(SANDBOX_BATCHES.live)).toEqual(at10min);
    now += 60_000; // one real minute at 60x: the hour-long batch is done
    expect(sandbox.summary(SANDBOX_BATCHES.live)).toMatchObject({ waiting: 0, active: 0 });
    sandbox.restartLive(0);
    const restarted = sandbox.summary(SANDBOX_BATCHES.live);
    expect(restarted?.waiting).toBeGreaterThan(1_950);
    now += 1_000; // one real second = one virtual minute
    expect(sandbox.summary(SANDBOX_BATCHES.live)?.completed).toBeGreaterThan(restarted?.completed ?? 0);
    sandbox.setLiveSpeed(0);
    const frozen = sandbox.summary(SANDBOX_BATCHES.live);
    now += 600_000;
    expect(sandbox.summary(SANDBOX_BATCHES.live)).toEqual(frozen);
  });

  it("keeps row order stable, so calls change status in place", async () => {
    let now = START;
    const sandbox = make({ now: () => now });
    const before = await calls(sandbox, SANDBOX_BATCHES.live, "page=2&limit=50");
    now += 20 * 60_000;
    const after = await calls(sandbox, SANDBOX_BATCHES.live, "page=2&limit=50");
    expect(after.map((c) => c.jobId)).toEqual(before.map((c) => c.jobId));
    expect(after.map((c) => c.status)).not.toEqual(before.map((c) => c.status));
  });
});

describe("sandbox batches: guard rails", () => {
  it("refuses to start in production unless explicitly allowed", () => {
    expect(() => make({ production: true })).toThrow(/production/);
    expect(() => make({ production: true, allowInProduction: true })).not.toThrow();
  });

  it("rejects nonsensical numeric options", () => {
    expect(() => make({ latencyMs: -1 })).toThrow(/latencyMs/);
    expect(() => make({ rateLimitPerMinute: 1.5 })).toThrow(/rateLimitPerMinute/);
    expect(() => make().setLiveSpeed(Number.NaN)).toThrow(/liveSpeed/);
  });

  it("returns undefined for unknown batches", () => {
    const sandbox = make();
    expect(sandbox.truth("nope")).toBeUndefined();
    expect(sandbox.summary("nope")).toBeUndefined();
    expect(sandbox.batchIds).toEqual(Object.values(SANDBOX_BATCHES));
  });
});
