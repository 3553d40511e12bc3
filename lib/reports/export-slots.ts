import "server-only";

import { sql } from "drizzle-orm";

import type { Database } from "../db";
import { advisoryLockKey } from "../trillet/shared-budget";

// How many exports may walk Trillet at once, per user and per workspace. Every walking export
// shares the workspace's 60 requests a minute, so a fourth export only slows the other three and
// delays everyone's page views; past the limit an export is refused with a time to try again.
// Counted in the database (export_slots), so several instances on one PostgreSQL share the count;
// on PGlite the same SQL runs in the one process.

export interface ExportLimits {
  perUser: number;
  perWorkspace: number;
}

/** A lease not renewed for this long belongs to an instance that stopped: it no longer counts. */
export const SLOT_TTL_MS = 60_000;
/** Said when no running export has an estimate yet (it has not read its first page). */
const DEFAULT_RETRY_AFTER_S = 30;

export interface SlotOwner {
  exportId: string;
  workspaceId: string;
  userKey: string;
  batchId: string;
}

export interface ExportSlot {
  /** Renews the lease; with the pages left, also when the walk should end at `limitPerMinute`. */
  heartbeat(progress?: { pagesLeft: number; limitPerMinute: number }): Promise<void>;
  /** Frees the slot (idempotent). */
  release(): Promise<void>;
}

export type SlotAnswer =
  { ok: true; slot: ExportSlot } | { ok: false; scope: "user" | "workspace"; running: number; limit: number; retryAfterS: number };

interface LeaseRow {
  user_key: string;
  /** Seconds from now until the export's estimated end, when it has one. */
  ends_in_s: number | null;
}

/**
 * Takes a slot for a walking export, or says which limit is full and when a slot should free.
 * Decided under a transaction-scoped advisory lock on the workspace, so two instances (or two
 * requests of one) never both take the last slot.
 */
export async function takeExportSlot(db: Database, owner: SlotOwner, limits: ExportLimits, ttlMs = SLOT_TTL_MS): Promise<SlotAnswer> {
  const lockKey = advisoryLockKey("export-slots", owner.workspaceId);
  const refused = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${lockKey}::bigint)`);
    await tx.execute(sql`
      delete from export_slots
      where workspace_id = ${owner.workspaceId} and heartbeat_at < now() - ${ttlMs}::float8 * interval '1 millisecond'`);
    const { rows } = (await tx.execute(sql`
      select user_key, extract(epoch from expected_end_at - now())::float8 as ends_in_s
      from export_slots where workspace_id = ${owner.workspaceId}
      order by started_at`)) as unknown as { rows: LeaseRow[] };
    const mine = rows.filter((row) => row.user_key === owner.userKey);
    // The user's own limit first: it is the one they can act on (wait for their own exports).
    if (mine.length >= limits.perUser)
      return { scope: "user" as const, running: mine.length, limit: limits.perUser, retryAfterS: retryAfter(mine) };
    if (rows.length >= limits.perWorkspace) {
      return { scope: "workspace" as const, running: rows.length, limit: limits.perWorkspace, retryAfterS: retryAfter(rows) };
    }
    await tx.execute(sql`
      insert into export_slots (id, workspace_id, user_key, batch_id)
      values (${owner.exportId}, ${owner.workspaceId}, ${owner.userKey}, ${owner.batchId})`);
    return null;
  });
  if (refused) return { ok: false, ...refused };

  let released = false;
  const where = sql`id = ${owner.exportId}`;
  return {
    ok: true,
    slot: {
      async heartbeat(progress) {
        if (released) return;
        const endsInMs = progress ? (progress.pagesLeft * 60_000) / Math.max(1, progress.limitPerMinute) : null;
        await db.execute(
          endsInMs === null
            ? sql`update export_slots set heartbeat_at = now() where ${where}`
            : sql`update export_slots set heartbeat_at = now(), expected_end_at = now() + ${endsInMs}::float8 * interval '1 millisecond' where ${where}`,
        );
      },
      async release() {
        if (released) return;
        released = true;
        await db.execute(sql`delete from export_slots where ${where}`);
      },
    },
  };
}

/** Seconds until the first of these exports should end: the earliest estimate, or a default. */
function retryAfter(rows: LeaseRow[]): number {
  const estimates = rows.map((row) => row.ends_in_s).filter((s): s is number => s !== null);
  const soonest = estimates.length ? Math.min(...estimates) : DEFAULT_RETRY_AFTER_S;
  return Math.min(3_600, Math.max(1, Math.ceil(soonest)));
}

/** The refusal's words for the export menu and the audit log. */
export function limitMessage(refusal: { scope: "user" | "workspace"; limit: number; retryAfterS: number }): string {
  const wait = refusal.retryAfterS < 90 ? `about ${refusal.retryAfterS} s` : `about ${Math.ceil(refusal.retryAfterS / 60)} min`;
  const who =
    refusal.scope === "user"
      ? `You already have ${refusal.limit} ${refusal.limit === 1 ? "export" : "exports"} reading from Trillet`
      : `This workspace already has ${refusal.limit} ${refusal.limit === 1 ? "export" : "exports"} reading from Trillet`;
  return `${who}, which share its rate limit. Try again when one finishes (in ${wait}).`;
}
