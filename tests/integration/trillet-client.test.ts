import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import type { TrilletClientOptions } from "@/lib/trillet/client";
import {
  BatchNotFoundError,
  CredentialsRejectedError,
  InvalidRequestError,
  RateLimitedError,
  TrilletError,
  UpstreamUnavailableError,
} from "@/lib/trillet/errors";

import { startTestSandbox, type RunningSandbox } from "../support/sandbox";
import { expectNoSecrets, testClient } from "../support/trillet";

let sb: RunningSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(() => sb.close());
beforeEach(() => {
  sb.sandbox.setFaults([]);
  sb.sandbox.setRateLimit(0);
  sb.sandbox.resetStats();
});

const client = (over: Partial<TrilletClientOptions> = {}, creds: { apiKey?: string; workspaceId?: string } = {}) =>
  testClient(sb, over, creds);

describe("TrilletClient", () => {
  it("reads a page of calls into typed, camel-cased calls with the batch-wide summary", async () => {
    const page = await client().listCalls("demo-finished", { page: 2, limit: 20, status: "failed" });
    const truth = sb.sandbox.truth("demo-finished")!.filter((c) => c.status === "failed");
    expect(page.pagination).toMatchObject({ page: 2, limit: 20, total: truth.length, hasPrev: true });
    expect(page.calls.map((c) => c.jobId)).toEqual(truth.slice(20, 40).map((c) => c.jobId));
    const first = page.calls[0]!;
    expect(first.status).toBe("failed");
    expect(typeof first.error).toBe("string");
    expect(first.durationSec).toBeNull();
    expect(first.phoneNumber).toMatch(/^\+\d+$/);
    expect(page.summary).toEqual(sb.sandbox.summary("demo-finished"));
    expect(page.receivedAt).toBeGreaterThan(Date.now() - 10_000);
  });

  it("reads the batch status endpoint", async () => {
    const status = await client().getBatchStatus("demo-finished");
    expect(status.isComplete).toBe(true);
    expect(status.summary).toEqual(sb.sandbox.summary("demo-finished"));
    expect(status.averageCallDurationSec).toBeGreaterThan(0);
  });

  it.each(["../demo-finished", "a/b", "", "x".repeat(200), "demo finished", "%2e%2e"])(
    "refuses batch id %j before any request is made",
    async (id) => {
      await expect(client().listCalls(id)).rejects.toBeInstanceOf(InvalidRequestError);
      expect(sb.sandbox.stats().requests).toBe(0);
    },
  );

  it("never sends out-of-range paging", async () => {
    await expect(client().listCalls("demo-finished", { limit: 101 })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(client().listCalls("demo-finished", { page: 0 })).rejects.toBeInstanceOf(InvalidRequestError);
    expect(sb.sandbox.stats().requests).toBe(0);
  });

  it("maps wrong credentials to CredentialsRejectedError without echoing them", async () => {
    const error = await client({}, { apiKey: "sk_wrong_key_123456" })
      .listCalls("demo-finished")
      .catch((e) => e);
    expect(error).toBeInstanceOf(CredentialsRejectedError);
    expect(String(error)).not.toContain("sk_wrong_key_123456");
    expectNoSecrets(error);
    const wrongWs = await client({}, { workspaceId: "ws_other" })
      .listCalls("demo-finished")
      .catch((e) => e);
    expect(wrongWs).toBeInstanceOf(CredentialsRejectedError);
    expect(sb.sandbox.stats().requests).toBe(2); // no retries on a credentials failure
  });

  it("maps an unknown batch to BatchNotFoundError", async () => {
    const error = await client()
      .listCalls("no-such-batch")
      .catch((e) => e);
    expect(error).toBeInstanceOf(BatchNotFoundError);
    expect((error as TrilletError).kind).toBe("not_found");
    expectNoSecrets(error);
  });

  it("retries 5xx answers with backoff and succeeds", async () => {
    sb.sandbox.setFaults([{ kind: "5xx", count: 2 }]);
    const page = await client().listCalls("demo-finished");
    expect(page.calls).toHaveLength(20);
    expect(sb.sandbox.stats().requests).toBe(3);
  });

  it("gives up after maxRetries on a permanent 5xx with a typed, secret-free error", async () => {
    sb.sandbox.setFaults([{ kind: "5xx", rate: 1 }]);
    const error = await client({ maxRetries: 2 })
      .listCalls("demo-finished")
      .catch((e) => e);
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(sb.sandbox.stats().requests).toBe(3);
    expectNoSecrets(error);
  });

  it("times out a request that never answers, then retries", async () => {
    sb.sandbox.setFaults([{ kind: "timeout", count: 1 }]);
    const started = Date.now();
    const page = await client({ timeoutMs: 300 }).listCalls("demo-finished");
    expect(page.calls).toHaveLength(20);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(sb.sandbox.stats().requests).toBe(2);
  });

  it("reports a timeout as unavailable once retries run out", async () => {
    sb.sandbox.setFaults([{ kind: "timeout", rate: 1 }]);
    const error = await client({ timeoutMs: 150, maxRetries: 1 })
      .listCalls("demo-finished")
      .catch((e) => e);
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect((error as Error).message).toContain("no answer within 150 ms");
  });

  it("retries malformed JSON and tolerates schema drift", async () => {
    sb.sandbox.setFaults([{ kind: "malformed", count: 1 }]);
    expect((await client().listCalls("demo-finished")).calls).toHaveLength(20);
    sb.sandbox.setFaults([{ kind: "drift", rate: 1 }]);
    const drifted = await client().listCalls("demo-finished", { limit: 100 });
    expect(drifted.calls).toHaveLength(100);
    expect(drifted.pagination.hasPrev).toBe(false);
    expect(drifted.pagination.hasNext).toBe(true);
    const status = await client().getBatchStatus("demo-finished");
    expect(status.summary.total).toBe(150);
  });

  it("waits out a 429 burst until reset_at and then succeeds, telling the budget", async () => {
    sb.sandbox.setFaults([{ kind: "429", count: 2 }]);
    const told: number[] = [];
    const page = await client({ onRateLimited: (t) => void told.push(t) }).listCalls("demo-finished");
    expect(page.calls).toHaveLength(20);
    expect(told).toHaveLength(2);
    expect(sb.sandbox.stats().requests).toBe(3);
  });

  it("fails with RateLimitedError carrying retryAt when the wait is longer than allowed", async () => {
    sb.sandbox.setRateLimit(1);
    await client().listCalls("demo-finished");
    const error = await client({ maxRateLimitWaitMs: 1_000 })
      .listCalls("demo-finished")
      .catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    const retryAt = (error as RateLimitedError).retryAt;
    expect(retryAt).toBeGreaterThan(Date.now() + 50_000);
    expectNoSecrets(error);
  });

  it("stops waiting when the caller aborts", async () => {
    sb.sandbox.setFaults([{ kind: "timeout", rate: 1 }]);
    const controller = new AbortController();
    const pending = client({ timeoutMs: 5_000 }).listCalls("demo-finished", {}, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("user left")), 100);
    await expect(pending).rejects.toThrow("user left");
  });

  it("reports an unreachable host as unavailable", async () => {
    const dead = testClient(sb, { maxRetries: 1 }, { baseUrl: "http://127.0.0.1:9" });
    const error = await dead.listCalls("demo-finished").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expectNoSecrets(error);
  });
});
