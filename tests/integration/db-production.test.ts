import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildIfStale } from "../../scripts/lib/next-app";
import { spawnStandalone, STANDALONE_COMMAND } from "../../scripts/lib/standalone.mjs";
import { createScratchDatabase } from "../support/db";
import { startTestSandbox, TEST_KEY, TEST_WORKSPACE, type RunningSandbox } from "../support/sandbox";

// The production check CI runs (issue 14, "Done when"): the standalone build, started with the
// container's command (STANDALONE_COMMAND), twice on one fresh PostgreSQL database, with the
// one-shot `npm run db:migrate` and `npm run user:create` of docs/deployment.md, against the
// Trillet sandbox. Only in the PostgreSQL pass (vitest.config.ts): two processes cannot share an
// embedded PGlite folder.
//
// It reuses the end-to-end suite's build (.next-e2e, built by Playwright earlier in CI) when it is
// newer than the sources, and builds it otherwise, so CI builds the app once.

const DIST_DIR = ".next-e2e";
const SHUTDOWN_TIMEOUT_MS = 10_000;
const ADMIN = { email: "ops@example.com", password: "prod-check-Password-42" };
const SLUG = "sandbox";
const ONCE = "prod-once"; // 250 calls: 3 pages, mirrored by exactly one instance
const RESUME = "prod-resume"; // 3,000 calls: 30 pages, its copy handed over on SIGTERM
const EXPORTED = "prod-export"; // 8,000 calls: a walking export cut by SIGTERM

interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

const server = process.env.TEST_DATABASE_URL ?? "";
let scratch: { url: string; drop(): Promise<void> };
let sandbox: RunningSandbox;
let dataDir: string;
const instances: Instance[] = [];
/** Every Trillet request the sandbox answered: batch, page, page size, status filter. */
const reads: { batchId: string; page: number; limit: number; status: string }[] = [];

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function query<T>(sqlText: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: scratch.url });
  await client.connect();
  try {
    return (await client.query(sqlText, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** `npm run <script>` from the project folder, as docs/deployment.md has the operator run it. */
function npmRun(script: string, args: string[], env: NodeJS.ProcessEnv) {
  const result = spawnSync("npm", ["run", "--silent", script, "--", ...args], { env, encoding: "utf8", timeout: 120_000 });
  if (result.status !== 0) throw new Error(`npm run ${script} failed (${result.status}): ${result.stderr}${result.stdout}`);
  return result.stdout;
}

function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env))
    if (key.startsWith("SANDBOX_") || key.startsWith("TRILLET_") || key.startsWith("OIDC_")) delete env[key];
  delete env.PGLITE_DIR;
  delete env.VITEST;
  return { ...env, NODE_ENV: "production", DATABASE_URL: scratch.url };
}

/**
 * Instance "a" runs the container's command (STANDALONE_COMMAND in the standalone folder); "b"
 * runs `npm start` from the project folder, as docs/deployment.md has a single machine do.
 */
async function startInstance(name: "a" | "b", port: number, publicUrl: string): Promise<Instance> {
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(),
    PUBLIC_URL: publicUrl,
    AUTH_SECRET: "prod-check-auth-secret-0123456789abcdefghij",
    ENCRYPTION_KEY: "cHJvZC1jaGVjay1lbmNyeXB0aW9uLWtleS0wMTIzNDU=",
    // The one-shot migrate ran (as compose.yaml's `migrate` service does).
    MIGRATE_ON_START: "false",
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    EXPORT_CACHE_DIR: path.join(dataDir, `${name}-export-cache`),
    // The workspace from settings, on the sandbox (a loopback address, allowed explicitly).
    TRILLET_BASE_URL: sandbox.url,
    TRILLET_API_KEY: TEST_KEY,
    TRILLET_WORKSPACE_ID: TEST_WORKSPACE,
    WORKSPACE_SLUG: SLUG,
    ALLOW_PRIVATE_URLS: "true",
    TRILLET_RATE_LIMIT_PER_MINUTE: "600",
    TRILLET_TIMEOUT_MS: "5000",
  };
  const child =
    name === "a"
      ? spawnStandalone({ distDir: DIST_DIR, port, host: "127.0.0.1", env })
      : spawn("npm", ["start"], {
          env: { ...env, NEXT_DIST_DIR: DIST_DIR, PORT: String(port), HOSTNAME: "127.0.0.1" },
          stdio: ["ignore", "pipe", "pipe"],
        });
  const log = createWriteStream(path.join("test-results", `db-production-${name}.log`));
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const instance = { name, url, child, exited };
  instances.push(instance);
  return instance;
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number, everyMs = 250): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The cookies a response sets, as a browser keeps them: by name, the last one set winning. */
function cookiesOf(response: Response): string[] {
  const jar = new Map<string, string>();
  for (const header of response.headers.getSetCookie()) {
    const pair = header.split(";")[0]!;
    jar.set(pair.slice(0, pair.indexOf("=")), pair);
  }
  return [...jar.values()];
}

/** Signs in through Auth.js's credentials endpoint (what the login form posts) and returns the Cookie header. */
async function signIn(base: string): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookiesOf(csrf).join("; ") },
    body: new URLSearchParams({ email: ADMIN.email, password: ADMIN.password, csrfToken, callbackUrl: "/" }),
  });
  expect(response.status).toBe(302);
  const session = cookiesOf(response).filter((c) => /authjs\.session-token=/.test(c));
  expect(session).toHaveLength(1);
  return session.join("; ");
}

interface SyncRow {
  state: string;
  frozen: boolean;
  owner: string | null;
  pass: number;
  pages_done: number;
  total_pages: number;
}

const syncRow = async (batchId: string) =>
  (await query<SyncRow>("select state, frozen, owner, pass, pages_done, total_pages from mirror_syncs where batch_id = $1", [batchId]))[0];

const mirroredCalls = async (batchId: string) =>
  Number((await query<{ count: string }>("select count(*)::text as count from mirror_calls where batch_id = $1", [batchId]))[0]?.count);

// One rollout, stage by stage: the instances come up, serve a sign-in, share a copy, then one is
// stopped with SIGTERM (which ends it for every later stage). The stages keep their order even
// when the suite is shuffled: the only suite that opts out, because its last stage is destructive.
describe("the standalone build: two instances on one PostgreSQL database", { timeout: 240_000, shuffle: false }, () => {
  beforeAll(async () => {
    expect(server, "runs in the PostgreSQL pass only (TEST_DATABASE_URL)").not.toBe("");
    mkdirSync("test-results", { recursive: true });
    buildIfStale(DIST_DIR, { ...process.env, NODE_ENV: "production" });
    scratch = await createScratchDatabase(server, "batchboard_prod");
    dataDir = mkdtempSync(path.join(tmpdir(), "batchboard-prod-"));
    sandbox = await startTestSandbox();
    sandbox.sandbox.addFinishedBatch(ONCE, 250);
    sandbox.sandbox.addFinishedBatch(RESUME, 3_000);
    sandbox.sandbox.addFinishedBatch(EXPORTED, 8_000);
    sandbox.sandbox.setLatency(20);
    const handle = sandbox.sandbox.handle.bind(sandbox.sandbox);
    sandbox.sandbox.handle = (request: Request) => {
      const url = new URL(request.url);
      const match = /^\/v1\/api\/batch-calls\/([^/]+)\/calls$/.exec(url.pathname);
      if (match) {
        reads.push({
          batchId: decodeURIComponent(match[1]!),
          page: Number(url.searchParams.get("page") ?? 1),
          limit: Number(url.searchParams.get("limit") ?? 0),
          status: url.searchParams.get("status") ?? "all",
        });
      }
      return handle(request);
    };

    // docs/deployment.md: migrate once, create the first admin, start the instances.
    expect(npmRun("db:migrate", [], baseEnv())).toMatch(/Migrations applied \(PostgreSQL\)/);
    expect(npmRun("user:create", ["--email", ADMIN.email, "--name", "Ops"], { ...baseEnv(), BATCHBOARD_PASSWORD: ADMIN.password })).toMatch(
      /Created admin/,
    );
    const [portA, portB] = [await freePort(), await freePort()];
    // PUBLIC_URL: the one address of the deployment (here instance A stands in for the proxy).
    const publicUrl = `http://127.0.0.1:${portA}`;
    await Promise.all([startInstance("a", portA, publicUrl), startInstance("b", portB, publicUrl)]);
  }, 900_000);

  afterAll(async () => {
    for (const instance of instances)
      if (instance.child.exitCode === null && instance.child.signalCode === null) instance.child.kill("SIGKILL");
    await Promise.all(instances.map((i) => i.exited));
    await sandbox?.close();
    await scratch?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("runs the container's command, and both instances report ready", async () => {
    expect(STANDALONE_COMMAND).toEqual(["node", "server.js"]);
    for (const instance of instances) {
      const ready = await waitFor(
        `${instance.name} ready`,
        async () => {
          if (instance.child.exitCode !== null)
            throw new Error(
              `instance ${instance.name} exited (${instance.child.exitCode}); see test-results/db-production-${instance.name}.log`,
            );
          const response = await fetch(`${instance.url}/api/ready`);
          return response.status === 200 ? response : null;
        },
        120_000,
      );
      expect(ready.headers.get("cache-control")).toContain("no-store");
      expect(await ready.json()).toEqual({
        ready: true,
        checks: { shutdown: "ok", database: "ok", migrations: "ok", mirrorWorker: "ok" },
        failed: [],
      });
      const health = await fetch(`${instance.url}/api/health`);
      expect(health.status).toBe(200);
    }
  });

  let cookie = "";

  it("signs in on one instance; the other honours the session", async () => {
    const [a, b] = instances as [Instance, Instance];
    cookie = await signIn(a.url);
    const withSession = await fetch(`${b.url}/api/w/${SLUG}/batches/${ONCE}`, { headers: { cookie, accept: "application/json" } });
    expect(withSession.status).toBe(200);
    const body = (await withSession.json()) as { summary?: { total?: number } };
    expect(body.summary?.total).toBe(250);
    const without = await fetch(`${b.url}/api/w/${SLUG}/batches/${ONCE}`, { headers: { accept: "application/json" } });
    expect(without.status).toBe(401);
  });

  it("mirrors a batch opened on one instance once: every page read by one sync, not two", async () => {
    const [a, b] = instances as [Instance, Instance];
    // Opened on A (the first open asks for its copy), viewed on B too while both workers poll.
    for (const instance of [a, b]) {
      const opened = await fetch(`${instance.url}/api/w/${SLUG}/batches/${ONCE}`, { headers: { cookie, accept: "application/json" } });
      expect(opened.status).toBe(200);
    }
    const row = await waitFor(
      "the copy to freeze",
      async () => {
        const r = await syncRow(ONCE);
        return r?.frozen ? r : null;
      },
      60_000,
    );
    expect(row).toMatchObject({ frozen: true, pass: 1, pages_done: 3, total_pages: 3 });
    expect(await query("select 1 from mirror_syncs where batch_id = $1", [ONCE])).toHaveLength(1);
    expect(await mirroredCalls(ONCE)).toBe(250);
    // The mirror reads full pages (100 calls); each was read once, by whichever instance claimed it.
    const mirrorReads = reads.filter((r) => r.batchId === ONCE && r.limit === 100 && r.status === "all");
    expect(mirrorReads.map((r) => r.page).sort()).toEqual([1, 2, 3]);
  });

  it("SIGTERM: a drained instance exits within the bound, fails its export visibly, and the other finishes its sync", async () => {
    const opened = await fetch(`${instances[0]!.url}/api/w/${SLUG}/batches/${RESUME}`, { headers: { cookie, accept: "application/json" } });
    expect(opened.status).toBe(200);
    // Whichever instance claimed the copy is the one stopped, mid-copy.
    const running = await waitFor(
      "the copy to be under way",
      async () => {
        const r = await syncRow(RESUME);
        return r?.state === "running" && r.owner && r.pages_done >= 2 ? r : null;
      },
      60_000,
      50,
    );
    // The owner names the Node process (host:pid:...): instance a's, or else the one under `npm start`.
    const pid = Number(running.owner!.split(":")[1]);
    const [a, b] = instances as [Instance, Instance];
    const victim = pid === a.child.pid ? a : b;
    const survivor = victim === a ? b : a;

    // An export streaming from the victim: it walks Trillet (the batch is not mirrored).
    const download = await fetch(`${victim.url}/api/w/${SLUG}/batches/${EXPORTED}/export?format=report&status=all`, {
      headers: { cookie },
    });
    expect(download.status).toBe(200);
    // Settled as soon as it ends, whichever way.
    const body = download.text().then(
      (text) => ({ completed: true as const, text }),
      (error: unknown) => ({ completed: false as const, error }),
    );
    const slots = await query("select 1 from export_slots");
    expect(slots).toHaveLength(1);

    const signalledAt = Date.now();
    // To the Node process itself, as Docker does to PID 1 and systemd to every process of the
    // service (npm, under `npm start`, does not pass SIGTERM on: docs/deployment.md).
    process.kill(pid, "SIGTERM");
    // From that moment its readiness is 503 (a load balancer drains it) while it still answers.
    const draining = await fetch(`${victim.url}/api/ready`).then(
      async (r) => ({ status: r.status, body: (await r.json()) as { failed: string[] } }),
      () => null,
    );
    if (draining) {
      expect(draining.status).toBe(503);
      expect(draining.body.failed).toContain("shutdown");
    }
    // The download fails (the connection ends without the closing chunk); it never ends short and clean.
    expect(await body).toMatchObject({ completed: false });
    const exit = await victim.exited;
    console.log(`SIGTERM to instance ${victim.name}: exited ${exit.at - signalledAt} ms later (bound ${SHUTDOWN_TIMEOUT_MS} ms)`);
    expect(exit.at - signalledAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    // 143: Node's exit after SIGTERM (npm, for instance b, exits with its script's status).
    expect(exit.code).toBe(143);

    // It handed back what it held: no export slot, and its sync job is the survivor's to resume.
    expect(await query("select 1 from export_slots")).toHaveLength(0);
    const audit = await query<{ detail: { reason?: string } }>(
      "select detail from audit_events where action = 'export.failed' and target = $1",
      [EXPORTED],
    );
    expect(audit.map((a) => a.detail.reason)).toEqual([expect.stringMatching(/server restarted/)]);
    const frozen = await waitFor(
      "the survivor to finish the copy",
      async () => {
        const r = await syncRow(RESUME);
        return r?.frozen ? r : null;
      },
      60_000,
    );
    expect(frozen).toMatchObject({ frozen: true, pages_done: 30, total_pages: 30 });
    expect(await mirroredCalls(RESUME)).toBe(3_000);
    // Handed over, not timed out: the survivor claimed it well before a stale claim would expire (30 s).
    expect(Date.now() - exit.at).toBeLessThan(30_000);

    const ready = await fetch(`${survivor.url}/api/ready`);
    expect(ready.status).toBe(200);
  });
});
