import "server-only";

import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { Pool } from "pg";

import { env } from "../env";
import { logger } from "../log";
import * as schema from "./schema";

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseHandle {
  db: Database;
  kind: "pglite" | "postgres";
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL; without it, embedded PGlite. */
  url?: string;
  /** PGlite data folder; without it (and without url), an in-memory database (tests). */
  dataDir?: string;
  /** Apply the committed migrations (default true; MIGRATE_ON_START=false leaves it to db:migrate). */
  migrate?: boolean;
}

// Relative to the working directory: the project folder, or the standalone server's own folder
// (server.js changes into it; next.config.mjs copies the migrations there).
export const MIGRATIONS = path.join(process.cwd(), "lib", "db", "migrations");
// Any fixed number: instances starting together take turns to migrate.
const MIGRATION_LOCK = 7_310_042;

/** Opens the database and brings its schema up to date. */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  const migrate = options.migrate ?? true;
  if (options.url) return openPostgres(options.url, migrate);
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const client = await PGlite.create(options.dataDir, { extensions: { pg_trgm } });
  const db = drizzlePglite(client, { schema });
  if (migrate) await migratePglite(db, { migrationsFolder: MIGRATIONS });
  return { db: db as unknown as Database, kind: "pglite", close: () => client.close() };
}

async function openPostgres(url: string, migrate: boolean): Promise<DatabaseHandle> {
  const pool = new Pool({ connectionString: url, max: 10 });
  // An idle connection the server ends (a restart, a failover, an admin) is an event on the pool:
  // without a listener Node treats it as an uncaught error and stops the process. The pool drops
  // that connection and opens another for the next query.
  pool.on("error", (error) => logger().warn({ event: "db.connection_closed", err: error }, "An idle PostgreSQL connection was closed"));
  // Connected now either way, so a wrong URL or a server that is down stops start-up with its error.
  const client = await pool.connect();
  try {
    if (migrate) {
      await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
      try {
        await migratePg(drizzlePg(client, { schema }), { migrationsFolder: MIGRATIONS });
      } finally {
        await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
      }
    }
  } finally {
    client.release();
  }
  return { db: drizzlePg(pool, { schema }) as unknown as Database, kind: "postgres", close: () => pool.end() };
}

/** True for embedded PGlite, whose queries run on this thread (nothing is gained by overlapping them). */
export function runsOnThisThread(db: Database): boolean {
  return (db as unknown as { $client?: unknown }).$client instanceof PGlite;
}

const holder = globalThis as typeof globalThis & { __batchboardDb?: Promise<DatabaseHandle> };

/** The app's database (from DATABASE_URL or PGLITE_DIR), opened and migrated once per process. */
export function getDatabase(): Promise<DatabaseHandle> {
  holder.__batchboardDb ??= openDatabase({ url: env.DATABASE_URL, dataDir: env.PGLITE_DIR, migrate: env.MIGRATE_ON_START }).catch(
    (error) => {
      holder.__batchboardDb = undefined;
      throw error;
    },
  );
  return holder.__batchboardDb;
}

export async function getDb(): Promise<Database> {
  return (await getDatabase()).db;
}

/** Lets tests point the app's services at their own database. */
export function setDatabaseForTests(handle: DatabaseHandle) {
  holder.__batchboardDb = Promise.resolve(handle);
}

/**
 * Whether the database holds every committed migration: drizzle records each applied one with its
 * journal timestamp (drizzle.__drizzle_migrations.created_at). False when the table is missing.
 */
export async function migrationsApplied(db: Database): Promise<boolean> {
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS, "meta", "_journal.json"), "utf8")) as { entries: { when: number }[] };
  const latest = Math.max(...journal.entries.map((e) => e.when));
  try {
    const { rows } = (await db.execute(sql`select max(created_at)::text as applied from drizzle.__drizzle_migrations`)) as unknown as {
      rows: { applied: string | null }[];
    };
    return Number(rows[0]?.applied ?? 0) >= latest;
  } catch {
    return false;
  }
}

export { schema };
