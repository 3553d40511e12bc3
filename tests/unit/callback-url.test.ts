import { describe, expect, it } from "vitest";

import { authJsAcceptsCallbackUrl, safeCallbackUrl } from "@/lib/auth/callback-url";

describe("safeCallbackUrl", () => {
  it.each([
    "//evil.example",
    "https://evil.example/x",
    "javascript:alert(1)",
    "/\\evil.example",
    "http:/evil.example",
    "",
    "evil.example/x",
    "/login?callbackUrl=/x",
    "/api/auth/signout",
    undefined,
    42,
  ])("sends %j to /", (value) => {
    expect(safeCallbackUrl(value)).toBe("/");
  });

  it("keeps a same-origin path with its query exactly", () => {
    const url = "/w/sandbox/batches/demo-finished?status=failed&page=2";
    expect(safeCallbackUrl(url)).toBe(url);
    expect(safeCallbackUrl("/settings/members#invites")).toBe("/settings/members#invites");
  });
});

describe("authJsAcceptsCallbackUrl", () => {
  const origin = "http://127.0.0.1:3000";
  it("accepts what Auth.js accepts: http(s) addresses and paths", () => {
    for (const value of ["/", "/w/sandbox/batches?status=failed", "http://127.0.0.1:3000/x", "https://elsewhere.example/"]) {
      expect(authJsAcceptsCallbackUrl(value, origin), value).toBe(true);
    }
  });
  it("refuses what Auth.js would answer with a 500", () => {
    for (const value of ["abc", "%2E%2E%2F", "\\", "javascript:alert(1)", "//", "ftp://x.example/"]) {
      expect(authJsAcceptsCallbackUrl(value, origin), value).toBe(false);
    }
  });
});
