import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import type { TrilletClientOptions } from "@/lib/trillet/client";
import {
  BatchNotFoundError,
  InvalidRequestError,
  OutcomeUnknownError,
  RateLimitedError,
  UpstreamUnavailableError,
} from "@/lib/trillet/errors";

import { startTestSandbox, type RunningSandbox } from "../support/sandbox";
import { expectNoSecrets, testClient } from "../support/trillet";

// Starting and cancelling batches: each request is sent once, whatever happens, and an answer
// that did not come is reported as an unknown outcome, never retried into a second batch.

let sb: RunningSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(() => sb.close());
beforeEach(() => {
  sb.sandbox.setFaults([]);
  sb.sandbox.setRateLimit(0);
});

const client = (over: Partial<TrilletClientOptions> = {}, baseUrl = sb.url) => testClient(sb, over, { baseUrl });

const CSV = 'phone_number,first_name,company\r\n+15550001001,Ann,"=1+1"\r\n+15550001002,Bo,+Plus Media\r\n';
const posts = () => sb.sandbox.created().length;

describe("TrilletClient.startBatch", () => {
  it("posts the CSV, agent, schedule and callback settings as Trillet's multipart form", async () => {
    const before = posts();
    const at = Date.UTC(2030, 0, 2, 9, 30);
    const started = await client().startBatch({ csv: CSV, agentId: "agent_7", scheduledAt: at, smartCallbackConfig: { enabled: true } });
    expect(started).toMatchObject({ batchId: expect.any(String), totalCalls: 2 });
    const sent = sb.sandbox.created()[before];
    expect(sent).toMatchObject({ batchId: started.batchId, agentId: "agent_7", scheduledAt: at, smartCallbackConfig: { enabled: true } });
    // Values exactly as given, formula-looking ones included.
    expect(sent?.rows).toEqual([
      { phone: "+15550001001", metadata: { first_name: "Ann", company: "=1+1" } },
      { phone: "+15550001002", metadata: { first_name: "Bo", company: "+Plus Media" } },
    ]);
  });

  it("reports a refused file with Trillet's reason, and sends it once", async () => {
    const before = posts();
    const error = await client()
      .startBatch({ csv: "phone_number\r\nnot-a-phone\r\n", agentId: "a" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toMatch(/HTTP 400.*Row 2/);
    expect(posts()).toBe(before);
    expectNoSecrets(error);
  });

  it("never retries a 5xx: the outcome is unknown, and one request was made", async () => {
    sb.sandbox.resetStats();
    sb.sandbox.setFaults([{ kind: "5xx", method: "POST", count: 5 }]);
    const error = await client()
      .startBatch({ csv: CSV, agentId: "a" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(sb.sandbox.stats().requests).toBe(1);
    expectNoSecrets(error);
  });

  it("reports a timeout after sending as an unknown outcome; the batch exists and no second POST is made", async () => {
    const before = posts();
    sb.sandbox.resetStats();
    sb.sandbox.setFaults([{ kind: "timeout", method: "POST", count: 1 }]);
    const error = await client({ timeoutMs: 300 })
      .startBatch({ csv: CSV, agentId: "a" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect((error as Error).message).toMatch(/may or may not/);
    expect(posts()).toBe(before + 1);
    expect(sb.sandbox.stats().requests).toBe(1);
  });

  it("reports a 429 as rate limited (nothing was started) without waiting it out", async () => {
    const before = posts();
    sb.sandbox.setFaults([{ kind: "429", method: "POST", count: 1 }]);
    const error = await client()
      .startBatch({ csv: CSV, agentId: "a" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(posts()).toBe(before);
  });

  it("knows nothing was sent when the connection is refused", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await client({}, `http://127.0.0.1:${port}`)
      .startBatch({ csv: CSV, agentId: "a" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
  });

  it("does not follow a redirect with the key attached", async () => {
    let redirected = 0;
    const target = createServer((_req, res) => {
      redirected++;
      res.end("{}");
    });
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    const redirector = createServer((_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.1:${(target.address() as AddressInfo).port}/v1/api/batch-calls` });
      res.end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, "127.0.0.1", resolve));
    const error = await client({}, `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`)
      .startBatch({ csv: CSV, agentId: "a" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(redirected).toBe(0);
    target.close();
    redirector.close();
  });
});

describe("TrilletClient.cancelBatch", () => {
  it("cancels a running batch; the status endpoint then says cancelled", async () => {
    const rows = Array.from({ length: 300 }, (_, i) => `+1555300${String(i).padStart(4, "0")},n${i}`).join("\r\n");
    const { batchId } = await client().startBatch({ csv: `phone_number,name\r\n${rows}\r\n`, agentId: "a" });
    await client().cancelBatch(batchId);
    expect((await client().getBatchStatus(batchId)).status).toBe("cancelled");
  });

  it("maps an unknown batch to not found, and a finished one to a refusal with Trillet's reason", async () => {
    await expect(client().cancelBatch("no-such-batch")).rejects.toBeInstanceOf(BatchNotFoundError);
    const error = await client()
      .cancelBatch("demo-finished")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toMatch(/already completed/);
  });
});
