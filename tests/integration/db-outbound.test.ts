import http from "node:http";
import type { AddressInfo } from "node:net";

import { afterEach, describe, expect, it } from "vitest";

import { createWorkspaceInput } from "@/app/settings/workspaces/workspace-input";
import { createUser } from "@/lib/auth/users";
import { env } from "@/lib/env";
import { assertOutboundUrl, checkOutboundUrl, isPrivateAddress } from "@/lib/security/outbound-url";
import { TrilletClient } from "@/lib/trillet/client";
import { createWorkspace, findWorkspaceFor, testConnection } from "@/lib/workspaces";

import { usingPostgres } from "../support/db";
import { db, setUpDatabase } from "../support/harness";
import { TEST_KEY, TEST_WORKSPACE } from "../support/sandbox";

// A tiny upstream that records every request (and its API key header), and can redirect.
interface Recorder {
  url: string;
  seen: { path: string; key: string | undefined }[];
  close(): Promise<void>;
}
async function recorder(handler?: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Recorder> {
  const seen: Recorder["seen"] = [];
  const server = http.createServer((req, res) => {
    seen.push({ path: req.url ?? "", key: req.headers["x-api-key"] as string | undefined });
    if (handler) return handler(req, res);
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "not_found", message: "no" } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

setUpDatabase();
const allowed = env.ALLOW_PRIVATE_URLS;
afterEach(() => {
  env.ALLOW_PRIVATE_URLS = allowed;
});

describe("the outbound URL rule", () => {
  it("wants https and a public host; ALLOW_PRIVATE_URLS permits exactly the private ones, over http too", () => {
    const strict = { allowPrivate: false };
    const lax = { allowPrivate: true };
    expect(checkOutboundUrl("https://api.trillet.ai", strict).ok).toBe(true);
    for (const refused of [
      "http://api.trillet.ai",
      "https://localhost:8443",
      "https://api.localhost",
      "https://LOCALHOST.",
      "https://127.0.0.1",
      "https://2130706433", // 127.0.0.1, as a number
      "https://0x7f.1",
      "https://10.1.2.3",
      "https://172.20.0.1",
      "https://192.168.1.1",
      "https://169.254.169.254", // cloud metadata
      "https://100.64.0.1",
      "https://0.0.0.0",
      "https://[::1]",
      "https://[::]",
      "https://[fe80::1]",
      "https://[fd00::1]",
      "https://[::ffff:127.0.0.1]",
      "https://[::ffff:a9fe:a9fe]",
      "https://[64:ff9b::10.0.0.1]",
      "https://printer.local",
      "https://metadata.google.internal",
      "https://intranet", // a single-label name: an internal host
      "https://user:pass@api.trillet.ai",
      "ftp://api.trillet.ai",
    ]) {
      expect(checkOutboundUrl(refused, strict), refused).toMatchObject({ ok: false });
    }
    expect(checkOutboundUrl("https://169.254.169.254", strict)).toEqual({
      ok: false,
      message: expect.stringContaining("ALLOW_PRIVATE_URLS"),
    });
    expect(checkOutboundUrl("http://127.0.0.1:4010", lax).ok).toBe(true);
    expect(checkOutboundUrl("https://[::1]:4010", lax).ok).toBe(true);
    expect(checkOutboundUrl("http://localhost:4010", lax).ok).toBe(true);
    // A public host still needs https with the setting on.
    expect(checkOutboundUrl("http://api.trillet.ai", lax)).toMatchObject({ ok: false, message: expect.stringContaining("https") });
    expect(isPrivateAddress("8.8.8.8")).toBe(false);
    expect(isPrivateAddress("2606:4700::1111")).toBe(false);
  });

  it("refuses a host name that resolves to a private address, before any request", async () => {
    const resolver = async (host: string) => (host === "internal.example.com" ? ["93.184.216.34", "10.0.0.7"] : ["93.184.216.34"]);
    await expect(assertOutboundUrl("https://internal.example.com", { allowPrivate: false }, resolver)).rejects.toThrow(
      /private or local network/,
    );
    await expect(assertOutboundUrl("https://public.example.com", { allowPrivate: false }, resolver)).resolves.toBeInstanceOf(URL);
  });

  it("the workspace form refuses http, private and local base URLs with a clear message", () => {
    env.ALLOW_PRIVATE_URLS = false;
    const form = (baseUrl: string) =>
      createWorkspaceInput.safeParse({ name: "W", slug: "w", baseUrl, trilletWorkspaceId: TEST_WORKSPACE, apiKey: TEST_KEY });
    const issue = (baseUrl: string) => {
      const parsed = form(baseUrl);
      return parsed.success ? null : parsed.error.issues[0]?.message;
    };
    expect(issue("http://127.0.0.1:4010")).toMatch(/private or local network.*ALLOW_PRIVATE_URLS/);
    expect(issue("https://localhost")).toMatch(/private or local network/);
    expect(issue("http://api.trillet.ai")).toBe("The URL must start with https://.");
    expect(form("https://api.trillet.ai").success).toBe(true);
    env.ALLOW_PRIVATE_URLS = true;
    expect(form("http://127.0.0.1:4010").success).toBe(true);
  });
});

describe(`Trillet requests (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("never follow a redirect, so the API key never reaches its target", async () => {
    const target = await recorder();
    const redirector = await recorder((_req, res) => res.writeHead(302, { location: `${target.url}/v1/api/batch-calls/x` }).end());
    try {
      const client = new TrilletClient(
        { baseUrl: redirector.url, apiKey: TEST_KEY, workspaceId: TEST_WORKSPACE },
        { timeoutMs: 1_000, maxRetries: 2, maxRateLimitWaitMs: 1_000, allowPrivateUrls: true },
      );
      await expect(client.getBatchStatus("demo-finished")).rejects.toThrow(/redirect/);
      expect(redirector.seen).toHaveLength(1); // not retried either
      expect(target.seen).toEqual([]);
    } finally {
      await target.close();
      await redirector.close();
    }
  });

  it("send nothing to a private host unless ALLOW_PRIVATE_URLS; Test connection says the address is not allowed", async () => {
    const upstream = await recorder();
    try {
      const strict = new TrilletClient(
        { baseUrl: upstream.url, apiKey: TEST_KEY, workspaceId: TEST_WORKSPACE },
        { timeoutMs: 1_000, maxRetries: 0, maxRateLimitWaitMs: 1_000, allowPrivateUrls: false },
      );
      await expect(strict.getBatchStatus("demo-finished")).rejects.toMatchObject({ name: "RefusedUrlError" });
      expect(upstream.seen).toEqual([]);

      const admin = await createUser(db, { email: "outbound-admin@example.com", role: "admin" });
      await createWorkspace(db, {
        slug: "inside",
        name: "Inside",
        baseUrl: upstream.url,
        apiKey: TEST_KEY,
        trilletWorkspaceId: TEST_WORKSPACE,
      });
      const workspace = (await findWorkspaceFor(db, admin, "inside"))!;
      env.ALLOW_PRIVATE_URLS = false;
      expect(await testConnection(workspace)).toBe("blocked");
      expect(upstream.seen).toEqual([]);
      env.ALLOW_PRIVATE_URLS = true;
      expect(await testConnection(workspace)).toBe("valid"); // the recorder answers 404: credentials fine
      expect(upstream.seen).toHaveLength(1);
    } finally {
      await upstream.close();
    }
  });
});
