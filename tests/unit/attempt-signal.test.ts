import http from "node:http";
import type { AddressInfo } from "node:net";
import v8 from "node:v8";
import vm from "node:vm";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { attemptSignal } from "@/lib/trillet/attempt-signal";

// A hung Trillet must not hang a walk: each attempt's timeout reaches fetch even while garbage
// collections run (Node 20's AbortSignal.any composite lost it after a GC: every request hung).
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

let server: http.Server;
let url: string;
beforeAll(async () => {
  server = http.createServer(() => {}); // never answers
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function attempt(parent: AbortController, ms: number): Promise<string> {
  const { signal, done } = attemptSignal(parent.signal, ms);
  try {
    await fetch(url, { signal });
    return "answered";
  } catch (error) {
    return (error as Error).name;
  } finally {
    done();
  }
}

describe("attemptSignal", () => {
  it("times out requests to a server that never answers, with garbage collections running", async () => {
    const collecting = setInterval(gc, 10);
    try {
      const hung = new Promise<string>((resolve) => setTimeout(() => resolve("hung"), 5_000).unref());
      const ends = await Promise.all(Array.from({ length: 10 }, () => Promise.race([attempt(new AbortController(), 200), hung])));
      expect(ends).toEqual(Array(10).fill("TimeoutError"));
    } finally {
      clearInterval(collecting);
    }
  });

  it("aborts with the parent's reason, and leaves no listener behind once done", async () => {
    const parent = new AbortController();
    const pending = attempt(parent, 10_000);
    parent.abort(new DOMException("cancelled", "AbortError"));
    expect(await pending).toBe("AbortError");

    const quiet = new AbortController();
    const { signal, done } = attemptSignal(quiet.signal, 10_000);
    done();
    quiet.abort();
    expect(signal.aborted).toBe(false);
  });
});
