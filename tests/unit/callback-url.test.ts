import { describe, expect, it } from "vitest";
import { safeCallbackUrl } from "@/lib/auth/callback-url";

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
