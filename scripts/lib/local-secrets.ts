// The demo's AUTH_SECRET and ENCRYPTION_KEY: taken from the environment when set, otherwise
// created once into .data/secrets.json (git-ignored) so sessions and stored keys survive restarts.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export function localSecrets(dir = ".data"): { AUTH_SECRET: string; ENCRYPTION_KEY: string } {
  const file = path.join(dir, "secrets.json");
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>) : {};
  const secrets = {
    AUTH_SECRET: process.env.AUTH_SECRET || stored.AUTH_SECRET || randomBytes(32).toString("base64"),
    ENCRYPTION_KEY: process.env.ENCRYPTION_KEY || stored.ENCRYPTION_KEY || randomBytes(32).toString("base64"),
  };
  if (secrets.AUTH_SECRET !== stored.AUTH_SECRET || secrets.ENCRYPTION_KEY !== stored.ENCRYPTION_KEY) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}
