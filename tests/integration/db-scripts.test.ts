import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { findUserByEmail } from "@/lib/auth/users";
import { openDatabase, type DatabaseHandle } from "@/lib/db";
import { workspaces } from "@/lib/db/schema";
import { rotateSealedSecrets, RotationError } from "@/lib/security/rotate-keys";
import { openWith, sealWith } from "@/lib/security/secret-box";
import { apiKeyAad, workspaceIdAad } from "@/lib/trillet/registry";
import { createWorkspace } from "@/lib/workspaces";

import { createScratchDatabase, openTestDatabase, usingPostgres } from "../support/db";

// The operator's scripts take their settings from a .env file in the folder they run in, the way
// `next start` does: with DATABASE_URL only in .env (PostgreSQL pass) or PGLITE_DIR only in .env
// (PGlite pass), `npm run db:migrate`, `npm run user:create` and `npm run keys:rotate` act on that
// database, not on the default .data/pglite.

const OLD_KEY = randomBytes(32);
const NEW_KEY = randomBytes(32);
const API_KEY = "sk_live_rotation_1234";
const TRILLET_WS = "ws_rotation_5678";

/** Seals a workspace's credentials with `key`, as an instance running with that ENCRYPTION_KEY did. */
async function sealWorkspace(db: DatabaseHandle["db"], slug: string, key: Buffer) {
  const created = await createWorkspace(db, {
    slug,
    name: slug,
    baseUrl: "https://api.trillet.ai",
    apiKey: API_KEY,
    trilletWorkspaceId: TRILLET_WS,
  });
  await db
    .update(workspaces)
    .set({
      apiKeyEnc: sealWith(key, API_KEY, apiKeyAad(created.id)),
      trilletWorkspaceIdEnc: sealWith(key, TRILLET_WS, workspaceIdAad(created.id)),
    })
    .where(eq(workspaces.id, created.id));
  return created.id;
}

async function storedWith(db: DatabaseHandle["db"], slug: string, key: Buffer) {
  const [row] = await db.select().from(workspaces).where(eq(workspaces.slug, slug));
  return {
    apiKey: openWith(key, row!.apiKeyEnc, apiKeyAad(row!.id)),
    workspaceId: openWith(key, row!.trilletWorkspaceIdEnc, workspaceIdAad(row!.id)),
  };
}

describe("scripts read .env from the folder they run in", { timeout: 120_000 }, () => {
  let project: string;
  let target: { url?: string; dataDir?: string };
  let scratch: { url: string; drop(): Promise<void> } | null = null;

  beforeAll(async () => {
    // A project folder holding the repository's files and its own .env, nothing else.
    project = mkdtempSync(path.join(tmpdir(), "batchboard-dotenv-"));
    for (const entry of ["package.json", "node_modules", "scripts", "lib", "tsconfig.json"]) {
      symlinkSync(path.resolve(entry), path.join(project, entry));
    }
    if (usingPostgres()) {
      scratch = await createScratchDatabase(process.env.TEST_DATABASE_URL!, "batchboard_dotenv");
      target = { url: scratch.url };
    } else {
      target = { dataDir: path.join(project, "pglite-from-dotenv") };
    }
    writeFileSync(
      path.join(project, ".env"),
      [
        target.url ? `DATABASE_URL=${target.url}` : `PGLITE_DIR=${target.dataDir}`,
        `OLD_ENCRYPTION_KEY=${OLD_KEY.toString("base64")}`,
        `ENCRYPTION_KEY=${NEW_KEY.toString("base64")}`,
        "",
      ].join("\n"),
    );
  });

  afterAll(async () => {
    await scratch?.drop();
    rmSync(project, { recursive: true, force: true });
  });

  /** `npm run <script>` in the project folder, with none of the settings in the environment. */
  function npmRun(script: string, args: string[] = [], extra: Record<string, string> = {}) {
    const env: Record<string, string | undefined> = { ...process.env };
    for (const key of ["DATABASE_URL", "PGLITE_DIR", "ENCRYPTION_KEY", "OLD_ENCRYPTION_KEY", "NODE_ENV", "VITEST", "TEST_DATABASE_URL"])
      delete env[key];
    Object.assign(env, extra);
    const result = spawnSync("npm", ["run", "--silent", script, "--", ...args], {
      cwd: project,
      env: env as NodeJS.ProcessEnv,
      encoding: "utf8",
      timeout: 90_000,
    });
    return { status: result.status, out: `${result.stdout}${result.stderr}` };
  }

  it("npm run db:migrate migrates the database named in .env", async () => {
    const { status, out } = npmRun("db:migrate");
    expect(out).toMatch(
      target.url ? /Migrations applied \(PostgreSQL\)/ : new RegExp(`Migrations applied \\(PGlite in ${target.dataDir}\\)`),
    );
    expect(status).toBe(0);
    const handle = await openDatabase({ ...target, migrate: false });
    try {
      const { rows } = (await handle.db.execute("select count(*)::int as n from drizzle.__drizzle_migrations")) as unknown as {
        rows: { n: number }[];
      };
      expect(rows[0]!.n).toBeGreaterThan(0);
    } finally {
      await handle.close();
    }
  });

  it("npm run user:create creates the user in that database", async () => {
    await (await openDatabase({ ...target, migrate: true })).close();
    const { status, out } = npmRun("user:create", ["--email", "dotenv-admin@example.com", "--name", "From dotenv"], {
      BATCHBOARD_PASSWORD: "dotenv-Password-1234",
    });
    expect(out).toMatch(/Created admin dotenv-admin@example\.com/);
    expect(status).toBe(0);
    const handle = await openDatabase({ ...target, migrate: false });
    try {
      expect(await findUserByEmail(handle.db, "dotenv-admin@example.com")).toMatchObject({ role: "admin", name: "From dotenv" });
    } finally {
      await handle.close();
    }
  });

  it("npm run keys:rotate re-seals the stored Trillet credentials with the new key", async () => {
    // Migrated here (idempotent), so the check needs no other test to have run first.
    const seed = await openDatabase({ ...target, migrate: true });
    await sealWorkspace(seed.db, "rotated", OLD_KEY);
    await seed.close();

    const { status, out } = npmRun("keys:rotate");
    expect(out).toMatch(/Re-sealed the Trillet credentials of 1 workspace\(s\)/);
    expect(status).toBe(0);
    // Neither key nor credential is printed.
    for (const secret of [OLD_KEY.toString("base64"), NEW_KEY.toString("base64"), API_KEY, TRILLET_WS]) expect(out).not.toContain(secret);

    const handle = await openDatabase({ ...target, migrate: false });
    try {
      expect(await storedWith(handle.db, "rotated", NEW_KEY)).toEqual({ apiKey: API_KEY, workspaceId: TRILLET_WS });
      await expect(storedWith(handle.db, "rotated", OLD_KEY)).rejects.toThrow();
    } finally {
      await handle.close();
    }
    // Run again: nothing left to do, nothing broken.
    const again = npmRun("keys:rotate");
    expect(again.out).toMatch(/of 0 workspace\(s\).*\(1 already used it\)/);
    expect(again.status).toBe(0);
  });
});

describe("key rotation", () => {
  let handle: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(() => handle.dispose());

  it("changes nothing when a workspace opens with neither key, and names it", async () => {
    await sealWorkspace(handle.db, "good", OLD_KEY);
    await sealWorkspace(handle.db, "foreign", randomBytes(32));
    const error = await rotateSealedSecrets(handle.db, OLD_KEY, NEW_KEY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RotationError);
    expect((error as Error).message).toMatch(/Workspace "foreign"/);
    expect((error as Error).message).not.toContain(OLD_KEY.toString("base64"));
    // The transaction rolled back: "good" is still sealed with the old key.
    expect(await storedWith(handle.db, "good", OLD_KEY)).toEqual({ apiKey: API_KEY, workspaceId: TRILLET_WS });
  });

  it("refuses the same key twice", async () => {
    await expect(rotateSealedSecrets(handle.db, OLD_KEY, OLD_KEY)).rejects.toThrow(/same/);
  });
});
