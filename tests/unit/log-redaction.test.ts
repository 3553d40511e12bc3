import { Writable } from "node:stream";

import { afterAll, describe, expect, it } from "vitest";

import { addLogContext, errSerializer, logger, setLogDestination, withLogContext } from "@/lib/log";

// What the logger never writes: secrets named as fields, call rows, a database error's quoted
// row, phone numbers anywhere in the line.

const lines: Record<string, unknown>[] = [];
setLogDestination(
  new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  }),
  "debug",
);
afterAll(() => setLogDestination(process.stdout));

const last = () => lines[lines.length - 1]!;
const raw = () => JSON.stringify(last());

describe("log redaction", () => {
  it("censors secret fields at any of the first levels", () => {
    logger().info(
      {
        apiKey: "sk_live_secret_1",
        headers: {
          authorization: "Bearer abc.def",
          cookie: "authjs.session-token=xyz",
          "x-api-key": "sk_live_secret_2",
          "x-workspace-id": "ws_secret",
        },
        credentials: { password: "hunter2 hunter2", trilletWorkspaceId: "ws_secret_2" },
        call: { phone: "+15550001234", metadata: { name: "Ada" } },
      },
      "with secrets",
    );
    const text = raw();
    for (const secret of [
      "sk_live_secret_1",
      "abc.def",
      "xyz",
      "sk_live_secret_2",
      "ws_secret",
      "hunter2",
      "ws_secret_2",
      "+15550001234",
      "Ada",
    ]) {
      expect(text, secret).not.toContain(secret);
    }
    expect(last().msg).toBe("with secrets");
  });

  it("masks phone numbers in messages and error texts", () => {
    logger().warn("calling +15550001234 and +44 770 123 4567 failed");
    expect(last().msg).toBe("calling [phone] and [phone] failed");
  });

  it("keeps an error's name, code and first message line, never its row or other fields", () => {
    const cause = Object.assign(new Error("duplicate key value violates unique constraint"), {
      code: "23505",
      detail: "Key (phone)=(+15550009999) exists",
    });
    const error = Object.assign(
      new Error('Failed query: insert into "mirror_calls" values ($1, $2)\nparams: job-1,+15550001234,Ada Lovelace'),
      {
        cause,
        query: "insert ... +15550001234",
        params: ["+15550001234"],
      },
    );
    logger().error({ err: error }, "sync failed");
    const text = raw();
    expect(text).not.toContain("5550001234");
    expect(text).not.toContain("5550009999");
    expect(text).not.toContain("Ada Lovelace");
    expect(last().err).toMatchObject({
      type: "Error",
      message: 'Failed query: insert into "mirror_calls" values ($1, $2)',
      cause: { type: "Error", code: "23505", message: "duplicate key value violates unique constraint" },
    });
    expect(errSerializer("plain +15550001234")).toEqual({ type: "string", message: "plain [phone]" });
    // Our own failure keeps its stack frames; an upstream one (it has a kind) is its fixed sentence.
    expect(errSerializer(new Error("ours")).stack).toMatch(/^at /);
    const upstream = Object.assign(new Error("Trillet is unreachable: HTTP 503."), {
      name: "UpstreamUnavailableError",
      kind: "unavailable",
      status: 503,
    });
    expect(errSerializer(upstream)).toEqual({
      type: "UpstreamUnavailableError",
      message: "Trillet is unreachable: HTTP 503.",
      kind: "unavailable",
      status: 503,
    });
  });

  it("carries a request's or job's context into every line logged under it", async () => {
    await withLogContext({ requestId: "r1" }, async () => {
      await Promise.resolve();
      addLogContext({ workspace: "w1", batch: "b1" });
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger().info({ event: "x" }, "inside");
    });
    expect(last()).toMatchObject({ requestId: "r1", workspace: "w1", batch: "b1", event: "x", level: "info" });
    logger().info("outside");
    expect(last()).not.toHaveProperty("requestId");
    addLogContext({ workspace: "never" });
    logger().info("still outside");
    expect(last()).not.toHaveProperty("workspace");
  });
});
