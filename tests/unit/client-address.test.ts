import http from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { clientAddress, installPeerAddressHeader, normaliseAddress, throttleAddress } from "@/lib/http/client-address";

// Next.js hands route handlers and actions only the headers; the peer is stamped by the hook that
// instrumentation.ts installs on Node's HTTP servers. This drives a real server with the hook.

let server: http.Server;
let url: string;
beforeAll(async () => {
  installPeerAddressHeader();
  server = http.createServer((req, res) => {
    const headers = new Headers(
      Object.entries(req.headers).map(([k, v]): [string, string] => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]),
    );
    res.setHeader("content-type", "application/json");
    res.end(
      JSON.stringify({ direct: clientAddress(headers, 0), oneProxy: clientAddress(headers, 1), twoProxies: clientAddress(headers, 2) }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function ask(headers: Record<string, string>, localAddress?: string) {
  return new Promise<Record<string, string | null>>((resolve, reject) => {
    const req = http.request(url, { headers, localAddress }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve(JSON.parse(body) as Record<string, string | null>));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the client address", () => {
  it("with TRUSTED_PROXIES=0 is the TCP peer, whatever X-Forwarded-For or a forged peer header says", async () => {
    const answer = await ask({ "x-forwarded-for": "203.0.113.9", "x-real-ip": "203.0.113.10", "x-batchboard-peer": "guess 198.51.100.1" });
    expect(answer.direct).toBe("127.0.0.1");
    // Another loopback source address is another client (Linux routes all of 127/8 to lo).
    expect((await ask({ "x-forwarded-for": "203.0.113.9" }, "127.0.0.2")).direct).toBe("127.0.0.2");
  });

  it("with N trusted proxies is the N-th X-Forwarded-For entry from the right", async () => {
    const answer = await ask({ "x-forwarded-for": "6.6.6.6, 198.51.100.23, 10.0.0.5" });
    expect(answer.oneProxy).toBe("10.0.0.5");
    expect(answer.twoProxies).toBe("198.51.100.23");
    // Fewer entries than proxies: the furthest one known, never a made-up one.
    expect((await ask({})).twoProxies).toBe("127.0.0.1");
  });

  it("normalises the forms proxies write, and throttles IPv6 clients by their /64", () => {
    expect(normaliseAddress("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(normaliseAddress("192.0.2.1:5123")).toBe("192.0.2.1");
    expect(normaliseAddress("[2001:db8::1]:443")).toBe("2001:db8::1");
    expect(normaliseAddress("not an address")).toBeNull();
    expect(throttleAddress("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(throttleAddress("2001:db8:1:2:bbbb:cccc:dddd:eeee")).toBe("2001:db8:1:2::/64");
    expect(throttleAddress("192.0.2.1")).toBe("192.0.2.1");
  });
});
