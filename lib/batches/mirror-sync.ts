import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db";
import { mirrorSyncs } from "../db/schema";
import { KeyUnion } from "../reports/metadata";
import { isTrilletError } from "../trillet/errors";
import type { WorkspaceGateway } from "../trillet/gateway";
import { isFinished, MAX_PAGE_SIZE, type BatchSummary } from "../trillet/schemas";
import { mirrorJobIds, mirrorSummary, upsertCalls } from "./mirror-store";
import { recordBatchRead } from "./tracked";

export type SyncJob = typeof mirrorSyncs.$inferSelect;

export interface SyncOutcome {
  state: "done" | "failed";
  frozen: boolean;
  mismatch: Record<string, unknown> | null;
  error: string | null;
}

export interface SyncOptions {
  /** Requests per minute of the workspace budget, to space re-syncs of a running batch. */
  limitPerMinute: number;
  /** Shortest wait before re-syncing a running batch (default 15 s; tests use 0). */
  minSpacingMs?: number;
  signal?: AbortSignal;
  onPage?: (progress: { pagesDone: number; totalPages: number }) => void;
}

const MAX_PASSES = 3;
const NEVER = new Date("9999-12-31T00:00:00Z");
// A running sync that has not reported for this long is taken over by another runner.
export const STALE_AFTER_MS = 30_000;

/** Asks for a sync of a batch; a frozen batch is never fetched again. Returns the job's state. */
export async function requestSync(db: Database, workspaceId: string, batchId: string): Promise<void> {
  await db
    .insert(mirrorSyncs)
    .values({ workspaceId, batchId })
    .onConflictDoUpdate({
      target: [mirrorSyncs.workspaceId, mirrorSyncs.batchId],
      set: { nextSyncAt: sql`least(${mirrorSyncs.nextSyncAt}, now())` },
      // Only a waiting job is pulled forward: a running one is running, a frozen one is final,
      // and a running batch's re-sync keeps the spacing its size and the budget allow.
      setWhere: sql`not ${mirrorSyncs.frozen} and ${mirrorSyncs.state} in ('pending', 'failed')`,
    });
}

/**
 * Claims the next due sync for this runner. SKIP LOCKED lets every instance claim concurrently
 * without waiting on each other, and the state flip makes the claim exclusive: one runner per batch.
 * A job whose runner stopped reporting (crash, restart) is claimed again and resumes where it was.
 */
export async function claimNextSync(db: Database, owner: string, staleAfterMs = STALE_AFTER_MS): Promise<SyncJob | null> {
  // Both drivers (node-postgres and PGlite) answer raw SQL with `{ rows }`.
  const result = (await db.execute(sql`
    update mirror_syncs set
      state = 'running', owner = ${owner}, heartbeat_at = now(), error = null,
      started_at = case when state = 'running' then started_at else now() end,
      pages_done = case when state = 'running' then pages_done else 0 end
    where (workspace_id, batch_id) = (
      select workspace_id, batch_id from mirror_syncs
      where not frozen and (
        (state in ('pending', 'done', 'failed') and next_sync_at <= now())
        or (state = 'running' and heartbeat_at < now() - make_interval(secs => ${staleAfterMs / 1000}))
      )
      order by next_sync_at
      limit 1
      for update skip locked
    )
    returning workspace_id, batch_id`)) as unknown as { rows: { workspace_id: string; batch_id: string }[] };
  const first = result.rows[0];
  if (!first) return null;
  const [job] = await db
    .select()
    .from(mirrorSyncs)
    .where(and(eq(mirrorSyncs.workspaceId, first.workspace_id), eq(mirrorSyncs.batchId, first.batch_id)));
  return job ?? null;
}

/**
 * Copies a batch into the mirror, page by page through the gateway at background priority,
 * recording progress after every page so another runner can resume it. A pass that started with
 * the batch already finished is the final one: checked against Trillet's counts and job set, it
 * freezes the batch for good. A mismatch is recorded and the batch is not frozen.
 */
export async function runSync(db: Database, gateway: WorkspaceGateway, job: SyncJob, options: SyncOptions): Promise<SyncOutcome> {
  const { workspaceId, batchId } = job;
  const read = (page: number) =>
    gateway.listCalls(batchId, { page, limit: MAX_PAGE_SIZE, status: "all" }, { priority: "background", fresh: true, signal: options.signal });
  const update = (set: Partial<SyncJob>) =>
    db.update(mirrorSyncs).set(set).where(and(eq(mirrorSyncs.workspaceId, workspaceId), eq(mirrorSyncs.batchId, batchId)));

  // The batch's metadata keys in first-seen order, carried across passes and resumed runs.
  const keys = new KeyUnion(job.metadataKeys ?? []);
  let storedKeys = job.metadataKeys ? keys.size : -1;
  try {
    let resumeFrom = job.pagesDone + 1;
    let pass = job.pass > 0 && job.pagesDone > 0 ? job.pass : job.pass + 1;
    // A resumed pass keeps the summary it started with: it tells whether that pass is the final one.
    let startSummary = resumeFrom > 1 ? job.upstreamSummary : null;
    for (; pass <= job.pass + MAX_PASSES; pass++, resumeFrom = 1, startSummary = null) {
      const resumed = resumeFrom > 1;
      const seen = new Set<string>();
      let page = resumeFrom;
      const first = await read(page);
      startSummary ??= first.summary;
      const finalPass = isFinished(startSummary);
      await update({ pass, upstreamSummary: startSummary, totalPages: first.pagination.totalPages, heartbeatAt: new Date() });
      let totalPages = first.pagination.totalPages;
      let summary: BatchSummary = first.summary;
      for (; page <= totalPages; page++) {
        const result = page === resumeFrom ? first : await read(page);
        summary = result.summary;
        totalPages = Math.max(totalPages, result.pagination.totalPages);
        await upsertCalls(db, workspaceId, batchId, result.calls, (page - 1) * MAX_PAGE_SIZE);
        for (const call of result.calls) {
          seen.add(call.jobId);
          keys.add(call.metadata);
        }
        const newKeys = keys.size !== storedKeys;
        await update({ pagesDone: page, totalPages, heartbeatAt: new Date(), ...(newKeys ? { metadataKeys: keys.keys } : {}) });
        if (newKeys) storedKeys = keys.size;
        options.onPage?.({ pagesDone: page, totalPages });
      }

      const mirrored = await mirrorSummary(db, workspaceId, batchId);
      if (mirrored.total < summary.total) continue; // calls moved between pages under us: read again
      // The workspace's batch list shows the counts of the latest complete read.
      await recordBatchRead(db, workspaceId, batchId, summary, new Date(), null);
      // Fresh planner statistics (PGlite has no autovacuum): without them search skips the
      // trigram index and scans the batch (measured: 200 ms -> 20 ms at 100,000 calls).
      await db.execute(sql`analyze mirror_calls`);
      if (!finalPass) return await finishRunning(update, summary, totalPages, options);

      // Final pass: the mirror must equal Trillet, count for count and job for job.
      const extra = resumed ? [] : [...(await mirrorJobIds(db, workspaceId, batchId))].filter((id) => !seen.has(id));
      const mismatch = compare(summary, mirrored, extra.length);
      if (resumed && !mismatch) continue; // a resumed final pass cannot vouch for the job set: one clean pass more
      return await finishFinal(update, summary, mismatch);
    }
    const mirrored = await mirrorSummary(db, workspaceId, batchId);
    return await fail(update, `the mirror holds ${mirrored.total} calls after ${MAX_PASSES} passes`);
  } catch (error) {
    if (options.signal?.aborted) throw error; // stopped: leave the job running so it resumes
    if (isTrilletError(error)) return await fail(update, error.message);
    // Anything else is ours (a database error quotes the rows it was writing): log it, show less.
    console.error(`[mirror] sync of ${batchId} failed`, error);
    return await fail(update, "Saving the mirror failed; it will be tried again.");
  }
}

function compare(upstream: BatchSummary, mirrored: BatchSummary, extra: number): Record<string, unknown> | null {
  const keys = ["total", "waiting", "active", "completed", "failed"] as const;
  const differs = keys.some((k) => upstream[k] !== mirrored[k]);
  return differs || extra > 0 ? { upstream, mirrored, notListedByTrillet: extra } : null;
}

type Update = (set: Partial<SyncJob>) => PromiseLike<unknown>;

async function finishRunning(update: Update, summary: BatchSummary, totalPages: number, options: SyncOptions): Promise<SyncOutcome> {
  const now = Date.now();
  // Re-sync a running batch at a pace that spends at most a third of the budget on it; once it
  // has finished, the final pass runs straight away.
  const spacing = Math.max(options.minSpacingMs ?? 15_000, (totalPages / Math.max(1, options.limitPerMinute)) * 60_000 * 3);
  await update({
    state: "done",
    finishedAt: new Date(now),
    lastSuccessAt: new Date(now),
    upstreamSummary: summary,
    mismatch: null,
    nextSyncAt: new Date(isFinished(summary) ? now : now + spacing),
  });
  return { state: "done", frozen: false, mismatch: null, error: null };
}

async function finishFinal(update: Update, summary: BatchSummary, mismatch: Record<string, unknown> | null): Promise<SyncOutcome> {
  const now = Date.now();
  await update({
    state: "done",
    frozen: mismatch === null,
    finishedAt: new Date(now),
    lastSuccessAt: new Date(now),
    upstreamSummary: summary,
    mismatch,
    // A mismatch stays visible and is checked again later; a frozen batch is never fetched again.
    nextSyncAt: mismatch ? new Date(now + 10 * 60_000) : NEVER,
  });
  return { state: "done", frozen: mismatch === null, mismatch, error: null };
}

async function fail(update: Update, message: string): Promise<SyncOutcome> {
  const error = message.slice(0, 500);
  await update({ state: "failed", error, finishedAt: new Date(), nextSyncAt: new Date(Date.now() + 60_000) });
  return { state: "failed", frozen: false, mismatch: null, error };
}
