import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { MAX_REASON_KEY, reasonKey } from "@/lib/batches/reasons";
import { assertServingSettings, parseEnv } from "@/lib/env";
import { isCommonPassword, passwordProblem } from "@/lib/security/password";
import { open, seal } from "@/lib/security/secret-box";
import { keyHint } from "@/lib/workspaces";

const production = {
  NODE_ENV: "production",
  AUTH_SECRET: "a-production-secret-of-at-least-32-characters",
  ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  PUBLIC_URL: "https://board.example.com",
};

describe("demo accounts in production (finding 4)", () => {
  it("refuse DEMO_SEED with NODE_ENV=production, naming the override", () => {
    // Refused when serving (start-up), not when building or running a script.
    expect(() => assertServingSettings(parseEnv({ ...production, DEMO_SEED: "true" }))).toThrow(
      /DEMO_SEED: .*DEMO_SEED_IN_PRODUCTION=true/,
    );
    const allowed = parseEnv({ ...production, DEMO_SEED: "true", DEMO_SEED_IN_PRODUCTION: "true" });
    expect(() => assertServingSettings(allowed)).not.toThrow();
    expect(allowed.DEMO_SEED).toBe(true);
    expect(parseEnv({ ...production }).DEMO_SEED).toBe(false);
    expect(parseEnv({ NODE_ENV: "development", DEMO_SEED: "true" }).DEMO_SEED).toBe(true);
  });

  it("the demo listens on 127.0.0.1 unless DEMO_HOST says otherwise; the other security settings default closed", () => {
    const defaults = parseEnv({});
    expect(defaults.DEMO_HOST).toBe("127.0.0.1");
    expect(defaults.TRUSTED_PROXIES).toBe(0);
    expect(defaults.ALLOW_PRIVATE_URLS).toBe(false);
    expect(defaults.DEMO_SEED_IN_PRODUCTION).toBe(false);
    expect(parseEnv({ DEMO_HOST: "0.0.0.0", TRUSTED_PROXIES: "2" })).toMatchObject({ DEMO_HOST: "0.0.0.0", TRUSTED_PROXIES: 2 });
    expect(() => parseEnv({ TRUSTED_PROXIES: "-1" })).toThrow(/TRUSTED_PROXIES/);
  });
});

describe("smaller findings (6)", () => {
  it("refuses the most common leaked passwords, also with digits or symbols added, with a clear message", () => {
    for (const weak of [
      "password1234",
      "Password2024!",
      "qwertyuiop123",
      "1qaz2wsx3edc",
      "iloveyou!!!!!!",
      "monkeymonkeymonkey",
      "football12345",
    ]) {
      expect(isCommonPassword(weak), weak).toBe(true);
      expect(passwordProblem(weak), weak).toMatch(/most common leaked passwords/);
    }
    for (const fine of ["correct horse battery", "batchboard-demo-admin", "a fine long passphrase", "Tr0ub4dor&3-staple"]) {
      expect(passwordProblem(fine), fine).toBeNull();
    }
  });

  it("refuses a sealed secret whose GCM tag was cut short (a 4-byte tag is forgeable in 2^32 tries)", () => {
    const sealed = seal("sk_live_secret_value", "workspaces.api_key:1");
    expect(open(sealed, "workspaces.api_key:1")).toBe("sk_live_secret_value");
    const [version, iv, tag, body] = sealed.split(":");
    const short = [version, iv, Buffer.from(tag!, "base64").subarray(0, 4).toString("base64"), body].join(":");
    expect(() => open(short, "workspaces.api_key:1")).toThrow();
  });

  it("folds a reason with a 100,000-character punctuation run in linear time", () => {
    const hostile = `busy${".".repeat(100_000)}x`;
    const started = performance.now();
    const key = reasonKey(hostile);
    const elapsed = performance.now() - started;
    // Cut to MAX_REASON_KEY characters, then the dots trimmed off the end of what is left.
    expect(key).toBe("busy");
    expect(reasonKey(`${"a".repeat(MAX_REASON_KEY + 50)}!`)).toHaveLength(MAX_REASON_KEY);
    expect(reasonKey(`Number busy${"!".repeat(100_000)}`)).toBe("number busy");
    expect(reasonKey(" NUMBER  busy. ")).toBe("number busy");
    expect(reasonKey("...")).toBe("(no reason given)");
    // The old regex took ~7 s for 40,000 characters here (quadratic); linear work is milliseconds.
    expect(elapsed).toBeLessThan(1_000);
  });

  it("shows the last 4 characters only of an API key of 16 characters or more", () => {
    expect(keyHint("sk_live_abcdefgh1234")).toBe("1234");
    expect(keyHint("sk_abcd_1234")).toBe("");
    expect(keyHint("12345678")).toBe("");
  });
});
