import { describe, expect, it } from "vitest";

import { inviteOrigin } from "@/lib/auth/invites";
import { EnvError, parseEnv } from "@/lib/env";

describe("invite link origin", () => {
  const proxied = new Headers({ host: "10.0.0.7:3000", "x-forwarded-proto": "http" });

  it("uses PUBLIC_URL when set, whatever host the request arrived with", () => {
    expect(inviteOrigin("https://board.example.com", proxied)).toBe("https://board.example.com");
    expect(inviteOrigin("https://board.example.com:8443/batchboard", proxied)).toBe("https://board.example.com:8443");
  });

  it("falls back to the address the admin's browser used", () => {
    expect(inviteOrigin(undefined, new Headers({ host: "board.example.com", "x-forwarded-proto": "https, http" }))).toBe(
      "https://board.example.com",
    );
    expect(inviteOrigin(undefined, proxied)).toBe("http://10.0.0.7:3000");
    expect(inviteOrigin(undefined, new Headers())).toBe("http://localhost");
  });

  it("accepts only an http(s) PUBLIC_URL, naming the variable", () => {
    expect(parseEnv({ PUBLIC_URL: "https://board.example.com/" }).PUBLIC_URL).toBe("https://board.example.com");
    expect(parseEnv({}).PUBLIC_URL).toBeUndefined();
    expect(() => parseEnv({ PUBLIC_URL: "javascript:alert(1)" })).toThrow(EnvError);
    expect(() => parseEnv({ PUBLIC_URL: "board.example.com" })).toThrow(/PUBLIC_URL/);
  });
});
