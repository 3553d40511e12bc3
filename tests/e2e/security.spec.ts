import http from "node:http";

import { expect } from "@playwright/test";

import { E2E } from "./fixtures/settings";
import { test } from "./fixtures/test";

// Issue 13 against the production build: the client address is the TCP peer (TRUSTED_PROXIES=0,
// the default), whatever X-Forwarded-For claims, and every response opts out of window sharing.

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP request to the app from a chosen loopback source address (all of 127/8 reaches lo). */
function fromAddress(
  localAddress: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${E2E.appUrl}${path}`, { method, headers, localAddress }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** A credentials sign-in through Auth.js's own endpoints; returns the `code` it redirects with. */
async function signInAttempt(localAddress: string, email: string, forwardedFor: string): Promise<string | null> {
  const csrf = await fromAddress(localAddress, "GET", "/api/auth/csrf", { "x-forwarded-for": forwardedFor });
  // The answer may set a cookie twice (the proxy's session check, then the route): the last one counts.
  const jar = new Map((csrf.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]!.split(/=(.*)/s).slice(0, 2) as [string, string]));
  const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const form = new URLSearchParams({ csrfToken, email, password: "some wrong password", callbackUrl: "/" }).toString();
  const answer = await fromAddress(
    localAddress,
    "POST",
    "/api/auth/callback/credentials",
    { "content-type": "application/x-www-form-urlencoded", cookie, "x-forwarded-for": forwardedFor },
    form,
  );
  const location = answer.headers.location ?? "";
  return new URL(location, E2E.appUrl).searchParams.get("code");
}

test("40 sign-ins, each with its own X-Forwarded-For, are throttled as the one address they come from", async () => {
  // 30 scrypt runs (N=2^17) on the server: about a minute on a quiet machine, several on a loaded one.
  test.setTimeout(480_000);
  const codes: (string | null)[] = [];
  // 127.0.0.2: a client of its own, so this does not slow the suite's other sign-ins from 127.0.0.1.
  for (let i = 0; i < 40; i++) codes.push(await signInAttempt("127.0.0.2", `spray-${i}@nowhere.example`, `198.51.100.${i + 1}`));
  expect(codes.slice(0, 30)).toEqual(Array(30).fill("credentials"));
  expect(codes.slice(30)).toEqual(Array(10).fill("throttled"));
  // Another client address is not affected.
  expect(await signInAttempt("127.0.0.3", "spray-other@nowhere.example", "198.51.100.1")).toBe("credentials");
});

test("the audit log records the TCP peer, not the X-Forwarded-For a client sent", async ({ page }) => {
  expect(await signInAttempt("127.0.0.4", "audit-peer@nowhere.example", "203.0.113.99")).toBe("credentials");
  await page.goto("/settings/audit");
  const row = page.getByRole("row").filter({ hasText: "audit-peer@nowhere.example" }).first();
  await expect(row).toContainText("127.0.0.4");
  await expect(row).not.toContainText("203.0.113.99");
});

test("every response carries Cross-Origin-Opener-Policy: same-origin (pages, API routes, static files)", async ({ request }) => {
  for (const path of ["/login", "/api/health", "/favicon.ico", "/api/w/sandbox/batches/demo-finished"]) {
    const response = await request.get(path, { maxRedirects: 0 });
    expect(response.headers()["cross-origin-opener-policy"], path).toBe("same-origin");
  }
});
