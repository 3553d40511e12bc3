import "server-only";

import { z } from "zod";

import { WORKSPACE_SLUG } from "./workspace-slug";

// The one reader of process.env in app code. Every setting is validated once, here, with the
// defaults that let `npm run demo` run on a fresh machine (PGlite, the Trillet sandbox).

const bool = z.enum(["true", "false", "1", "0", "yes", "no", ""]).transform((v) => v === "true" || v === "1" || v === "yes");

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL")
  .transform((u) => u.replace(/\/+$/, ""));

const slug = z.string().regex(WORKSPACE_SLUG, "lowercase letters, digits and dashes");

export const SANDBOX_DEFAULT_API_KEY = "sk_sandbox_demo_0000";
export const SANDBOX_DEFAULT_WORKSPACE_ID = "ws_sandbox_demo";

const base64Key = z
  .string()
  .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 random bytes, base64 (openssl rand -base64 32)");

const emailList = z.string().transform((v) =>
  v
    .split(",")
    .map((d) => d.trim().toLowerCase())
    .filter(Boolean),
);

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: int(1, 65_535).default(3000),
  // The address `npm run demo` listens on; 0.0.0.0 (or ::) opens the demo to the network.
  DEMO_HOST: z.string().min(1).default("127.0.0.1"),
  // Proxy hops in front of Batchboard that append to X-Forwarded-For. 0: the client is the TCP
  // peer and X-Forwarded-For is ignored; N: the N-th address from the right of X-Forwarded-For.
  TRUSTED_PROXIES: int(0, 10).default(0),
  // Lets workspace URLs (and other outbound requests) reach loopback, private and link-local
  // hosts, over http or https: for the sandbox on http://127.0.0.1 in the demo and tests.
  ALLOW_PRIVATE_URLS: bool.default(false),
  // The address people use to reach Batchboard (https://batchboard.example.com): Auth.js's base
  // URL and the start of every link the app hands out (invites). Required in production, where a
  // TLS proxy in front talks plain HTTP to the app; unset elsewhere: the address the browser used.
  PUBLIC_URL: httpUrl.optional(),
  // Apply the committed migrations on start (under a PostgreSQL advisory lock, so instances
  // starting together take turns). Off when a one-shot `npm run db:migrate` does it instead; the
  // readiness check then reports a database that is behind.
  MIGRATE_ON_START: bool.default(true),
  // On SIGTERM/SIGINT: how long running requests may take to finish before the process exits
  // anyway (streaming exports are failed at once; sync claims are handed back).
  SHUTDOWN_TIMEOUT_MS: int(1_000, 600_000).default(25_000),

  // Postgres server (postgres://...) or, when unset, embedded PGlite with its data in PGLITE_DIR.
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .optional(),
  PGLITE_DIR: z.string().min(1).default(".data/pglite"),

  // Required in production (npm run demo generates both into .data/ when absent).
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters (openssl rand -base64 32)").optional(),
  ENCRYPTION_KEY: base64Key.optional(),
  // Only for `npm run keys:rotate`: the key the stored credentials are sealed with now.
  OLD_ENCRYPTION_KEY: base64Key.optional(),
  // Seed the demo admin, member and Sandbox workspace on start, printing how to sign in.
  DEMO_SEED: bool.default(false),
  // DEMO_SEED creates an admin whose password is in the README: refused in production unless this is set.
  DEMO_SEED_IN_PRODUCTION: bool.default(false),
  // A session ends after this many hours without a request, and this many days after sign-in.
  SESSION_IDLE_HOURS: int(1, 24 * 90).default(12),
  SESSION_MAX_DAYS: int(1, 365).default(7),
  // Admin changes (members, roles, workspace credentials) need a sign-in confirmed this recently.
  FRESH_SIGN_IN_MINUTES: int(1, 24 * 60).default(15),
  // Optional OIDC sign-in: admits invited emails and the allowed domains.
  OIDC_ISSUER: httpUrl.optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_NAME: z.string().min(1).max(40).default("Single sign-on"),
  OIDC_ALLOWED_DOMAINS: emailList.default([]),

  // A default workspace for single-workspace deployments: when both the key and the workspace id
  // are set, start-up creates or updates the workspace WORKSPACE_SLUG with them.
  TRILLET_BASE_URL: httpUrl.default("https://api.trillet.ai"),
  TRILLET_API_KEY: z.string().min(8).optional(),
  TRILLET_WORKSPACE_ID: z.string().min(1).optional(),
  WORKSPACE_SLUG: slug.default("default"),
  WORKSPACE_NAME: z.string().min(1).max(80).default("Trillet"),

  TRILLET_RATE_LIMIT_PER_MINUTE: int(1, 100_000).default(60),
  TRILLET_TIMEOUT_MS: int(100, 120_000).default(10_000),
  TRILLET_MAX_RETRIES: int(0, 10).default(3),
  TRILLET_MAX_RATE_LIMIT_WAIT_MS: int(0, 300_000).default(65_000),
  // A page view's total deadline for its Trillet read (budget wait, attempts, retries, a 429):
  // past it the page shows its last good read with its age, or what went wrong, and retries.
  TRILLET_VIEW_DEADLINE_MS: int(500, 120_000).default(8_000),
  // At least the live page's refresh interval (5 s), so N viewers cost what one viewer does.
  GATEWAY_CACHE_LIVE_MS: int(0, 600_000).default(5_000),
  GATEWAY_CACHE_FINISHED_MS: int(0, 86_400_000).default(300_000),
  // Memory for page views' reads per workspace (fresh ones, and the last good read of each view).
  GATEWAY_CACHE_MB: int(1, 4_096).default(32),

  // Finished exports of frozen batches kept on disk, so a repeat export streams a file; 0 MB = off.
  EXPORT_CACHE_DIR: z.string().min(1).default(".data/export-cache"),
  EXPORT_CACHE_MB: int(0, 1_000_000).default(1_024),
  // Exports that walk Trillet at once (they share the workspace's rate limit); more get a 429.
  EXPORT_MAX_PER_USER: int(1, 100).default(2),
  EXPORT_MAX_PER_WORKSPACE: int(1, 1_000).default(4),

  // Notification delivery: the deadline of one attempt, and attempts before a delivery is failed.
  NOTIFY_TIMEOUT_MS: int(500, 60_000).default(10_000),
  NOTIFY_MAX_ATTEMPTS: int(1, 50).default(10),
  // Log lines below this level are dropped ("silent" drops them all). Lines are JSON, one a line.
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // Bearer token for /api/metrics (Prometheus); unset: the endpoint answers 404.
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters (openssl rand -hex 24)").optional(),

  SANDBOX_PORT: int(0, 65_535).default(4010),
  SANDBOX_API_KEY: z.string().min(8).default(SANDBOX_DEFAULT_API_KEY),
  SANDBOX_WORKSPACE_ID: z.string().min(1).default(SANDBOX_DEFAULT_WORKSPACE_ID),
  SANDBOX_RATE_LIMIT: int(0, 100_000).default(60),
  SANDBOX_LATENCY_MS: int(0, 60_000).default(0),
  SANDBOX_LIVE_SPEED: z.coerce.number().positive().max(100_000).default(1),
  SANDBOX_FAULTS: z.string().default(""),
  SANDBOX_CONTROL: bool.default(false),
  SANDBOX_ALLOW_IN_PRODUCTION: bool.default(false),
});

const refined = schema.superRefine((v, ctx) => {
  const oidc = [v.OIDC_ISSUER, v.OIDC_CLIENT_ID, v.OIDC_CLIENT_SECRET].filter(Boolean).length;
  if (oidc !== 0 && oidc !== 3) {
    ctx.addIssue({
      code: "custom",
      path: ["OIDC_ISSUER"],
      message: "OIDC needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together",
    });
  }
});

export type Env = z.infer<typeof schema>;

export class EnvError extends Error {
  override name = "EnvError";
}

/** Parses a settings source; the error names each bad variable but never echoes its value. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  // An empty variable means "not set", so `FOO=` in a .env file falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = refined.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new EnvError(`Invalid settings (see .env.example):\n${lines.join("\n")}`);
  }
  return result.data;
}

/**
 * What a production server needs on top of valid settings, checked when it starts serving
 * (lib/startup.ts) rather than whenever settings are read: `next build` evaluates modules too, and
 * the one-shot scripts (db:migrate, user:create) need the database, not the server's secrets.
 * The error names each missing setting, never a value.
 */
export function assertServingSettings(v: Env): void {
  if (v.NODE_ENV !== "production") return;
  const missing: string[] = [];
  for (const key of ["AUTH_SECRET", "ENCRYPTION_KEY"] as const) if (!v[key]) missing.push(`  ${key}: is required in production`);
  if (!v.PUBLIC_URL) {
    missing.push(
      "  PUBLIC_URL: is required in production (the address people use to reach Batchboard, e.g. https://batchboard.example.com)",
    );
  }
  if (v.DEMO_SEED && !v.DEMO_SEED_IN_PRODUCTION) {
    missing.push(
      "  DEMO_SEED: seeds demo accounts whose passwords are public: refused with NODE_ENV=production (set DEMO_SEED_IN_PRODUCTION=true to allow it on purpose)",
    );
  }
  if (missing.length) throw new EnvError(`Invalid settings (see .env.example):\n${missing.join("\n")}`);
}

export const env: Env = parseEnv(process.env);

// Auth.js takes its base URL (redirects, callback URLs, whether its cookies are the Secure kind)
// from AUTH_URL, in the route handler, proxy.ts and server components alike. Behind a TLS proxy
// that talks plain HTTP to the app that must be PUBLIC_URL, not the address the request came in on.
// Except on a loopback address (a local production run): inside Auth.js's route handling Next
// rebuilds the request as a NextRequest, which writes 127.0.0.1 as "localhost", so the OIDC
// token request would name another redirect_uri than the authorization request did. There the
// address the browser used is the public one anyway, and the route handler keeps it as addressed
// (app/api/auth/[...nextauth]/route.ts).
if (env.PUBLIC_URL && !isLoopbackUrl(env.PUBLIC_URL)) process.env.AUTH_URL = new URL(env.PUBLIC_URL).origin;

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "localhost" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);
}
