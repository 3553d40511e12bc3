import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createUser, findUserByEmail } from "@/lib/auth/users";
import { migrationsApplied, openDatabase } from "@/lib/db";

import { createScratchDatabase, usingPostgres } from "../support/db";

// The backup and restore commands of docs/operations.md, run as written (PostgreSQL: pg_dump and
// pg_restore; PGlite: tar of the stopped database's folder), restore a database the app opens
// with its users and its schema current.

const docs = readFileSync("docs/operations.md", "utf8");
const DUMP = 'pg_dump --format=custom --file=batchboard-$(date +%F).dump "$DATABASE_URL"';
const RESTORE_PG = 'pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" batchboard-2026-01-31.dump';
const TAR = 'tar -czf batchboard-$(date +%F).tar.gz -C "$(dirname "$PGLITE_DIR")" "$(basename "$PGLITE_DIR")"';
const RESTORE_PGLITE = 'tar -xzf batchboard-2026-01-31.tar.gz -C "$(dirname "$PGLITE_DIR")"';

/** One documented command, in `cwd`, through the shell, with `env` added. */
function sh(command: string, cwd: string, env: Record<string, string>) {
  const result = spawnSync("sh", ["-c", command], { cwd, env: { ...process.env, ...env }, encoding: "utf8" });
  expect(result.status, `${command}\n${result.stderr}`).toBe(0);
}

describe(`Backup and restore as docs/operations.md says (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, { timeout: 120_000 }, () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "batchboard-backup-"));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("the commands tested here are the ones the document gives", () => {
    for (const command of [DUMP, RESTORE_PG, TAR, RESTORE_PGLITE]) expect(docs).toContain(command);
  });

  it("restores the users and a current schema", async () => {
    const email = "backed-up@example.com";
    if (usingPostgres()) {
      const source = await createScratchDatabase(process.env.TEST_DATABASE_URL!, "batchboard_backup");
      const target = await createScratchDatabase(process.env.TEST_DATABASE_URL!, "batchboard_restore");
      try {
        const live = await openDatabase({ url: source.url });
        await createUser(live.db, { email, name: "Backed Up", password: "backup-Password-123", role: "member" });
        await live.close();
        sh(DUMP, work, { DATABASE_URL: source.url });
        // The document's example file name: the dump just taken, under that name.
        sh(`mv batchboard-$(date +%F).dump batchboard-2026-01-31.dump`, work, {});
        sh(RESTORE_PG, work, { DATABASE_URL: target.url });
        const restored = await openDatabase({ url: target.url, migrate: false });
        try {
          expect(await migrationsApplied(restored.db)).toBe(true);
          expect(await findUserByEmail(restored.db, email)).toMatchObject({ email, name: "Backed Up" });
        } finally {
          await restored.close();
        }
      } finally {
        await source.drop();
        await target.drop();
      }
    } else {
      const dataDir = path.join(work, "pglite");
      const live = await openDatabase({ dataDir });
      await createUser(live.db, { email, name: "Backed Up", password: "backup-Password-123", role: "member" });
      await live.close(); // stopped, as the document says
      sh(TAR, work, { PGLITE_DIR: dataDir });
      sh('mv "$PGLITE_DIR" "$PGLITE_DIR.old"', work, { PGLITE_DIR: dataDir });
      sh(`mv batchboard-$(date +%F).tar.gz batchboard-2026-01-31.tar.gz`, work, {});
      sh(RESTORE_PGLITE, work, { PGLITE_DIR: dataDir });
      const restored = await openDatabase({ dataDir, migrate: false });
      try {
        expect(await migrationsApplied(restored.db)).toBe(true);
        expect(await findUserByEmail(restored.db, email)).toMatchObject({ email, name: "Backed Up" });
      } finally {
        await restored.close();
      }
    }
  });
});
