import "server-only";

import { and, eq, sql } from "drizzle-orm";

import { recordBatchRead } from "../batches/tracked";
import type { Database } from "../db";
import { mirrorSyncs, type PassReason } from "../db/schema";
import { observeBatch } from "../notifications/observe";
import { KeyUnion } from "../trillet/metadata-keys";
import { isFinished, type BatchSummary } from "../trillet/schemas";
import type { WalkPage } from "../trillet/walker";
import { countSeenInPass, mirrorSummary, upsertCalls } from "./store";
import { STALE_AFTER_MS } from "./sync";

// An export that walks a batch unfiltered reads exactly the pages the mirror sync would read
// (status=all, 100 a page). Rather than have the sync read them all again, the export takes over
// the batch's sync job for the length of its walk and copies each page into the mirror as it goes.
// A walk of a batch that was already finished when it started, completed and reconciled with
// Trillet's counts by the walker, is a verified final pass: it freezes the mirror exactly as the
// sync's final pass does (lib/mirror/sync.ts completePass). Anything else hands the job back.
//
// The walk is a pass of the job like the runner's own (lib/mirror/sync.ts): it opens one (a full
// pass, no plan), marks every call it copies with that pass, and records how many pages from the
// first it has copied without a gap. Handed back, the runner resumes that pass after those pages;
// finished, it is checked and closed as the runner closes a final pass.

const NEVER = new Date("9999-12-31T00:00:00Z");
/** Owners of sync jobs held by exports start with this; the mirror runner's never do. */
export const EXPORT_OWNER_PREFIX = "export:";

export type FillOutcome = "frozen" | "mismatch" | "released" | "lost";

export interface WalkFill {
  readonly owner: string;
  /** Copies one walked page into the mirror (pages of another filter are ignored). */
  page(page: WalkPage): Promise<void>;
  /** Tells the mirror runners the job is still held (while the walk waits for budget, say). */
  heartbeat(): Promise<void>;
  /**
   * The walk completed with Trillet's `summary`. Freezes the mirror when the batch was finished at
   * the walk's start (verified: counts and job set), else hands the job back to the runner.
   */
  finish(summary: BatchSummary, finishedAtStart: boolean): Promise<FillOutcome>;
  /** The walk failed or was cancelled: the runner resumes the job now (idempotent). */
  release(): Promise<void>;
}

/**
 * Takes the batch's sync job for the export `exportId`, or null when the batch is frozen already
 * or another export holds the job (that export fills the mirror; this one only walks).
 */
export async function takeOverSync(
  db: Database,
  workspaceId: string,
  batchId: string,
  exportId: string,
  staleAfterMs = STALE_AFTER_MS,
): Promise<WalkFill | null> {
  const owner = `${EXPORT_OWNER_PREFIX}${exportId}`;
  const passStartedAt = new Date();
  // A full pass of its own (no plan): named once the first page says whether the batch has finished.
  const openPass = {
    inPass: true,
    passReason: "first" as const,
    passPlan: null,
    passPages: 0,
    passSummary: null,
    passStartedAt,
    pagesDone: 0,
    heartbeatAt: sql`now()`,
  };
  const [taken] = await db
    .insert(mirrorSyncs)
    .values({ workspaceId, batchId, state: "running", owner, ...openPass, pass: 1, startedAt: sql`now()` })
    .onConflictDoUpdate({
      target: [mirrorSyncs.workspaceId, mirrorSyncs.batchId],
      set: { state: "running", owner, ...openPass, pass: sql`${mirrorSyncs.pass} + 1`, error: null, startedAt: sql`now()` },
      // A runner's sync is taken over (the runner re-checks its ownership and stops); a frozen
      // batch is final, and another export's live walk keeps its job.
      setWhere: sql`not ${mirrorSyncs.frozen} and not (
        ${mirrorSyncs.state} = 'running' and ${mirrorSyncs.owner} like ${`${EXPORT_OWNER_PREFIX}%`}
        and ${mirrorSyncs.heartbeatAt} >= now() - make_interval(secs => ${staleAfterMs / 1000}))`,
    })
    .returning({ metadataKeys: mirrorSyncs.metadataKeys, pass: mirrorSyncs.pass, copiedAt: mirrorSyncs.copiedAt });
  if (!taken) return null;

  const mine = and(eq(mirrorSyncs.workspaceId, workspaceId), eq(mirrorSyncs.batchId, batchId), eq(mirrorSyncs.owner, owner));
  // The batch's keys in first-seen order, continued from what earlier passes recorded (as the sync does).
  const keys = new KeyUnion(taken.metadataKeys ?? []);
  let storedKeys = taken.metadataKeys ? keys.size : -1;
  const pass = taken.pass;
  // Pages copied, and how many from the first without a gap (pages may arrive out of order).
  const copied = new Set<number>();
  let pagesDone = 0;
  let totalPages = 0;
  let passOpened = false;
  let held = true;

  /** Updates the job if this export still holds it; a job taken from us stops the fill. */
  const update = async (set: Partial<typeof mirrorSyncs.$inferInsert>) => {
    if (!held) return false;
    const rows = await db.update(mirrorSyncs).set(set).where(mine).returning({ batchId: mirrorSyncs.batchId });
    if (rows.length === 0) held = false;
    return held;
  };

  const release = async () => {
    if (!held) return;
    held = false;
    await db
      .update(mirrorSyncs)
      .set({ state: "pending", owner: null, nextSyncAt: sql`now()` })
      .where(and(mine, eq(mirrorSyncs.frozen, false)));
  };

  return {
    owner,
    release,
    async page({ page, status, limit, result }) {
      if (!held || status !== "all") return;
      // Row numbers are positions in Trillet's unfiltered listing, as the sync numbers them.
      await upsertCalls(db, workspaceId, batchId, result.calls, (page - 1) * limit, pass);
      for (const call of result.calls) keys.add(call.metadata);
      copied.add(page);
      while (copied.has(pagesDone + 1)) pagesDone++;
      totalPages = Math.max(totalPages, result.pagination.totalPages);
      const newKeys = keys.size !== storedKeys;
      // The pass is named by Trillet's counts when it started: a finished batch's walk is its final check.
      const reason: PassReason = isFinished(result.summary) ? "final" : taken.copiedAt === null ? "first" : "refresh";
      const opening = passOpened ? {} : { passReason: reason, passSummary: result.summary };
      passOpened = true;
      await update({
        pagesDone,
        totalPages,
        passPages: totalPages,
        heartbeatAt: new Date(),
        ...opening,
        ...(newKeys ? { metadataKeys: keys.keys } : {}),
      });
      if (newKeys) storedKeys = keys.size;
    },
    async heartbeat() {
      await update({ heartbeatAt: new Date() });
    },
    async finish(summary, finishedAtStart) {
      if (!held) return "lost";
      if (!finishedAtStart) {
        // A running batch's walk cannot vouch for a final copy: the runner's next pass does.
        await release();
        return "released";
      }
      const mirrored = await mirrorSummary(db, workspaceId, batchId);
      // Calls in the copy this walk did not see: Trillet no longer lists them.
      const extra = mirrored.total - (await countSeenInPass(db, workspaceId, batchId, pass));
      const mismatch = compare(summary, mirrored, extra);
      await recordBatchRead(db, workspaceId, batchId, summary, new Date(), null);
      // A verified final pass, as the sync's: batch.finished if the batch was seen running.
      await observeBatch(db, { workspaceId, batchId, summary, sawRunning: false, final: true });
      // Fresh planner statistics for search, as after a sync (PGlite has no autovacuum).
      await db.execute(sql`analyze mirror_calls`);
      const now = Date.now();
      const done = await update({
        state: "done",
        inPass: false,
        copiedAt: passStartedAt,
        recheckCount: 0,
        frozen: mismatch === null,
        finishedAt: new Date(now),
        lastSuccessAt: new Date(now),
        heartbeatAt: new Date(now),
        upstreamSummary: summary,
        totalPages,
        pagesDone,
        metadataKeys: keys.keys,
        mismatch,
        // A mismatch stays visible and is checked again later; a frozen batch is never fetched again.
        nextSyncAt: mismatch ? new Date(now + 10 * 60_000) : NEVER,
      });
      held = false;
      if (!done) return "lost";
      return mismatch ? "mismatch" : "frozen";
    },
  };
}

function compare(upstream: BatchSummary, mirrored: BatchSummary, extra: number): Record<string, unknown> | null {
  const keys = ["total", "waiting", "active", "completed", "failed"] as const;
  const differs = keys.some((k) => upstream[k] !== mirrored[k]);
  return differs || extra > 0 ? { upstream, mirrored, notListedByTrillet: extra } : null;
}
