import { describe, expect, it } from "vitest";

import { assertServingSettings, EnvError, parseEnv } from "@/lib/env";

// Start-up in production refuses to run without the settings a team instance needs, names each
// missing or bad one, and never repeats a secret's value in the message.

const complete = {
  NODE_ENV: "production",
  AUTH_SECRET: "a-production-auth-secret-0123456789abcdef",
  ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
  PUBLIC_URL: "https://batchboard.example.com",
};

const problem = (source: Record<string, string>) => {
  try {
    assertServingSettings(parseEnv(source));
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError);
    return (error as Error).message;
  }
  throw new Error("expected the settings to be refused");
};

describe("production settings", () => {
  it("start with AUTH_SECRET, ENCRYPTION_KEY and PUBLIC_URL, with the new settings' defaults", () => {
    const env = parseEnv(complete);
    expect(env.PUBLIC_URL).toBe("https://batchboard.example.com");
    expect(env.MIGRATE_ON_START).toBe(true);
    expect(env.SHUTDOWN_TIMEOUT_MS).toBe(25_000);
  });

  it("name every missing required setting", () => {
    const message = problem({ NODE_ENV: "production" });
    expect(message).toMatch(/AUTH_SECRET: is required in production/);
    expect(message).toMatch(/ENCRYPTION_KEY: is required in production/);
    expect(message).toMatch(/PUBLIC_URL: is required in production/);
    for (const key of ["AUTH_SECRET", "ENCRYPTION_KEY", "PUBLIC_URL"] as const) {
      const rest = Object.fromEntries(Object.entries(complete).filter(([name]) => name !== key));
      expect(problem(rest)).toMatch(new RegExp(`^  ${key}: is required in production`, "m"));
    }
  });

  it("never echo a secret's value when it is refused", () => {
    const secret = "short-secret-value";
    const key = "bm90LTMyLWJ5dGVzLWxvbmc=";
    const message = problem({ ...complete, AUTH_SECRET: secret, ENCRYPTION_KEY: key });
    expect(message).toMatch(/AUTH_SECRET/);
    expect(message).toMatch(/ENCRYPTION_KEY/);
    expect(message).not.toContain(secret);
    expect(message).not.toContain(key);
  });

  it("validate MIGRATE_ON_START and SHUTDOWN_TIMEOUT_MS", () => {
    expect(parseEnv({ ...complete, MIGRATE_ON_START: "false", SHUTDOWN_TIMEOUT_MS: "5000" })).toMatchObject({
      MIGRATE_ON_START: false,
      SHUTDOWN_TIMEOUT_MS: 5_000,
    });
    expect(problem({ ...complete, MIGRATE_ON_START: "sometimes" })).toMatch(/MIGRATE_ON_START/);
    expect(problem({ ...complete, SHUTDOWN_TIMEOUT_MS: "10" })).toMatch(/SHUTDOWN_TIMEOUT_MS/);
  });

  it("need none of them outside production (the demo and the tests)", () => {
    expect(() => assertServingSettings(parseEnv({ NODE_ENV: "development" }))).not.toThrow();
  });

  it("are asked of the server only: settings parse without them (next build, db:migrate, user:create)", () => {
    expect(() => parseEnv({ NODE_ENV: "production" })).not.toThrow();
  });
});
