import "server-only";

import { sql } from "drizzle-orm";

import { getDb, migrationsApplied } from "./db";
import { isDraining, mirrorWorkerRunning } from "./lifecycle";

export type CheckState = "ok" | "failed";

export interface Readiness {
  ready: boolean;
  checks: { shutdown: CheckState; database: CheckState; migrations: CheckState; mirrorWorker: CheckState };
  /** The names of the failed checks, for a log line or a person reading the 503. */
  failed: string[];
}

/** A database that does not answer within this long counts as unreachable. */
const DATABASE_TIMEOUT_MS = 3_000;

const holder = globalThis as typeof globalThis & { __batchboardMigrated?: boolean };

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** What /api/ready reports. Errors are reduced to "failed": their text may name hosts or users. */
export async function readiness(): Promise<Readiness> {
  const checks: Readiness["checks"] = { shutdown: "ok", database: "failed", migrations: "failed", mirrorWorker: "failed" };
  if (isDraining()) checks.shutdown = "failed";
  try {
    const db = await within(DATABASE_TIMEOUT_MS, getDb());
    await within(DATABASE_TIMEOUT_MS, db.execute(sql`select 1`));
    checks.database = "ok";
    // Applied migrations stay applied: once seen, not asked again.
    holder.__batchboardMigrated ||= await within(DATABASE_TIMEOUT_MS, migrationsApplied(db));
    if (holder.__batchboardMigrated) checks.migrations = "ok";
  } catch {
    // database (or migrations) stays "failed"
  }
  if (mirrorWorkerRunning()) checks.mirrorWorker = "ok";
  const failed = Object.entries(checks)
    .filter(([, state]) => state !== "ok")
    .map(([name]) => name);
  return { ready: failed.length === 0, checks, failed };
}
