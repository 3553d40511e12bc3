import "server-only";

import { and, eq, sql } from "drizzle-orm";

import { recordBatchRead } from "../batches/tracked";
import type { Database } from "../db";
import { mirrorSyncs, type PassReason } from "../db/schema";
import { logger } from "../log";
import { metrics } from "../metrics";
import { observeBatch } from "../notifications/observe";
import { isTrilletError } from "../trillet/errors";
import type { WorkspaceGateway } from "../trillet/gateway";
import { KeyUnion } from "../trillet/metadata-keys";
import { isFinished, MAX_PAGE_SIZE, type BatchSummary, type CallsPage } from "../trillet/schemas";
import { pacerFor } from "./pace";
import { copiedPages, refreshPlan } from "./plan";
import { countSeenInPass, mirrorSummary, upsertCalls } from "./store";

// Ownership of a sync job (one mirror_syncs row). At most one party works a job at a time: the
// one named in `owner` while `state = 'running'` and its heartbeat is fresh. Runners take a job
// with claimNextSync (SKIP LOCKED plus the state flip, so claims stay exclusive across instances)
// for one slice of its copy, then hand it back as due again. An export walking the batch may take
// the job over too (state 'running', owner 'export:<id>', heartbeat_at refreshed per page, then
// frozen at the end: lib/mirror/from-walk.ts). So every write a runner makes is conditional
// on owner = itself and state = 'running'; when one matches no row, the runner stops quietly and
// leaves the job to its new owner. Whoever stops reporting for STALE_AFTER_MS loses the job to the
// next claim, which resumes the pass where the row says it was.

export type SyncJob = typeof mirrorSyncs.$inferSelect;

export interface SyncOutcome {
  /**
   * done: a pass completed (frozen when it was the final check); yielded: the slice ended mid-pass
   * and the job is due again; lost: another runner or an export took the job over; failed: the
   * reason is recorded and the job is tried again later, resuming its pass.
   */
  state: "done" | "failed" | "yielded" | "lost";
  frozen: boolean;
  mismatch: Record<string, unknown> | null;
  error: string | null;
}

export interface PageProgress {
  pagesDone: number;
  totalPages: number;
  pass: number;
  passReason: PassReason;
  passPages: number;
}

export interface SyncOptions {
  /** Requests per minute of the workspace budget, to space refreshes of a running batch. */
  limitPerMinute: number;
  /** The budget's window (Trillet's minute); tests scale it down together with the budget's. */
  windowMs?: number;
  /** Shortest time between the starts of two refreshes of a running batch (default 15 s; tests use 0). */
  minSpacingMs?: number;
  signal?: AbortSignal;
  /** Hand the job back after this many pages or this long (the worker's fair share). Default: no limit. */
  slice?: { maxPages?: number; maxMs?: number };
  /** How often the owner says it is alive while it waits for budget (default 10 s). */
  heartbeatMs?: number;
  onPage?: (progress: PageProgress) => void;
}

const MAX_PASSES = 3;
const NEVER = new Date("9999-12-31T00:00:00Z");
// A running sync that has not reported for this long is taken over by another runner.
export const STALE_AFTER_MS = 30_000;

/** Asks for a sync of a batch; a frozen batch is never fetched again. */
export async function requestSync(db: Database, workspaceId: string, batchId: string): Promise<void> {
  await db
    .insert(mirrorSyncs)
    .values({ workspaceId, batchId })
    .onConflictDoUpdate({
      target: [mirrorSyncs.workspaceId, mirrorSyncs.batchId],
      set: { nextSyncAt: sql`least(${mirrorSyncs.nextSyncAt}, now())` },
      // Only a waiting job is pulled forward: a running one is running, a frozen one is final,
      // and a running batch's refresh keeps the spacing its size and the budget allow.
      setWhere: sql`not ${mirrorSyncs.frozen} and ${mirrorSyncs.state} in ('pending', 'failed')`,
    });
}

/**
 * The scheduler's order among due jobs: never served first (a new batch never queues behind a
 * big one's copy), then the one served least recently (round robin, slice by slice), then the
 * longest due. lib/mirror/status.ts counts the queue in the same order.
 */
export const DUE_ORDER = sql`coalesce(served_at, '-infinity'::timestamptz), next_sync_at, workspace_id, batch_id`;

/**
 * Claims the next due sync for one slice of work. SKIP LOCKED lets every instance claim
 * concurrently without waiting on each other, and the state flip makes the claim exclusive: one
 * owner per batch. A job whose owner stopped reporting (crash, restart) is claimed again; its
 * pass resumes where it was.
 */
export async function claimNextSync(db: Database, owner: string, staleAfterMs = STALE_AFTER_MS): Promise<SyncJob | null> {
  // Both drivers (node-postgres and PGlite) answer raw SQL with `{ rows }`.
  const result = (await db.execute(sql`
    update mirror_syncs set
      state = 'running', owner = ${owner}, heartbeat_at = now(), served_at = now(), error = null,
      started_at = case when state = 'running' then started_at else now() end
    where (workspace_id, batch_id) = (
      select workspace_id, batch_id from mirror_syncs
      where not frozen and (
        (state in ('pending', 'done', 'failed') and next_sync_at <= now())
        or (state = 'running' and heartbeat_at < now() - make_interval(secs => ${staleAfterMs / 1000}))
      )
      order by ${DUE_ORDER}
      limit 1
      for update skip locked
    )
    returning workspace_id, batch_id`)) as unknown as { rows: { workspace_id: string; batch_id: string }[] };
  const first = result.rows[0];
  if (!first) return null;
  const [job] = await db
    .select()
    .from(mirrorSyncs)
    .where(and(eq(mirrorSyncs.workspaceId, first.workspace_id), eq(mirrorSyncs.batchId, first.batch_id), eq(mirrorSyncs.owner, owner)));
  return job ?? null;
}

/** Hands back every job these owners still hold (a stopping instance), due at once and resumable. */
export async function releaseClaims(db: Database, owners: string[]): Promise<void> {
  if (owners.length === 0) return;
  await db.execute(sql`
    update mirror_syncs set state = 'pending', owner = null, next_sync_at = now()
    where state = 'running' and owner in (${sql.join(
      owners.map((o) => sql`${o}`),
      sql`, `,
    )})`);
}

class JobLost extends Error {}

const passLength = (job: SyncJob) => (job.passPlan ? job.passPlan.length : Math.max(1, job.totalPages));
const pageAt = (job: SyncJob, index: number) => (job.passPlan ? job.passPlan[index]! : index + 1);

/**
 * Copies a batch into the mirror through the gateway at background priority, one pass at a time,
 * recording progress after every page so that any runner can go on from there. A first pass or a
 * final check reads every page; a refresh of a running batch reads the pages that can still
 * change (lib/mirror/plan.ts). A full pass that started with the batch already finished is the final
 * one: checked against Trillet's counts and job set, it freezes the batch for good. A mismatch is
 * recorded and the batch is not frozen. With `slice`, the job is handed back when the slice is used up.
 */
export async function runSync(db: Database, gateway: WorkspaceGateway, job: SyncJob, options: SyncOptions): Promise<SyncOutcome> {
  const { workspaceId, batchId } = job;
  // Every line of this slice names its batch; the worker's context adds which runner holds it.
  const slog = logger().child({ workspace: workspaceId, batch: batchId });
  const ended = (outcome: string) => metrics().syncs.inc({ outcome });
  const owned = and(
    eq(mirrorSyncs.workspaceId, workspaceId),
    eq(mirrorSyncs.batchId, batchId),
    eq(mirrorSyncs.owner, job.owner ?? ""),
    eq(mirrorSyncs.state, "running"),
  );
  const write = async (set: Partial<SyncJob>, on: Database = db) =>
    (await on.update(mirrorSyncs).set(set).where(owned).returning({ pass: mirrorSyncs.pass })).length > 0;
  const lost = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, lost.signal]) : lost.signal;
  const pacer = pacerFor(gateway, options.limitPerMinute, options.windowMs ?? 60_000);
  const read = async (page: number) => {
    await pacer.turn(signal);
    return gateway.listCalls(batchId, { page, limit: MAX_PAGE_SIZE, status: "all" }, { priority: "background", fresh: true, signal });
  };
  // Waiting for budget can take long: say so, and stop waiting once the job belongs to someone else.
  const heartbeat = setInterval(() => {
    write({ heartbeatAt: new Date() }).then(
      (still) => still || lost.abort(new JobLost()),
      () => {},
    );
  }, options.heartbeatMs ?? 10_000);
  heartbeat.unref?.();

  let row: SyncJob = { ...job };
  // The batch's metadata keys in first-seen order, carried across passes and slices.
  const keys = new KeyUnion(job.metadataKeys ?? []);
  let storedKeys = job.metadataKeys ? keys.size : -1;
  const sliceEnds = Date.now() + (options.slice?.maxMs ?? Infinity);
  const slicePages = options.slice?.maxPages ?? Infinity;
  let pagesRead = 0;
  let summary: BatchSummary | null = null;

  const openPass = async (reason: PassReason, extra: Partial<SyncJob> = {}) => {
    const plan = reason === "refresh" ? refreshPlan(await copiedPages(db, workspaceId, batchId), row.totalPages, row.refreshCount) : null;
    const set: Partial<SyncJob> = {
      pass: row.pass + 1,
      inPass: true,
      passReason: reason,
      passPlan: plan,
      passPages: plan ? plan.length : row.totalPages,
      pagesDone: 0,
      passSummary: null,
      passStartedAt: new Date(),
      heartbeatAt: new Date(),
      ...extra,
    };
    if (!(await write(set))) throw new JobLost();
    row = { ...row, ...set };
    // A running batch is refreshed every 15 s or so: those passes are routine (debug).
    slog[reason === "refresh" ? "debug" : "info"](
      { event: "sync.started", pass: row.pass, reason, pages: row.passPages },
      "Mirror sync pass started",
    );
  };

  // Reads one page of the pass and stores it with the progress, in one transaction that holds only
  // while this runner still owns the job.
  const copyPage = async (page: number, countIt: boolean) => {
    const result: CallsPage = await read(page);
    summary = result.summary;
    pagesRead++;
    const totalPages = Math.max(row.totalPages, result.pagination.totalPages);
    let plan = row.passPlan;
    // Pages beyond the ones known when the plan was made are new: a refresh reads them too.
    if (plan && totalPages > row.totalPages)
      plan = [...plan, ...Array.from({ length: totalPages - row.totalPages }, (_, i) => row.totalPages + i + 1)];
    for (const call of result.calls) keys.add(call.metadata);
    const newKeys = keys.size !== storedKeys;
    const set: Partial<SyncJob> = {
      pagesDone: row.pagesDone + (countIt ? 1 : 0),
      totalPages,
      passPlan: plan,
      passPages: plan ? plan.length : Math.max(1, totalPages),
      passSummary: row.passSummary ?? result.summary,
      heartbeatAt: new Date(),
      ...(newKeys ? { metadataKeys: keys.keys } : {}),
    };
    const stillOwned = await db.transaction(async (tx) => {
      if (!(await write(set, tx as unknown as Database))) return false;
      await upsertCalls(tx as unknown as Database, workspaceId, batchId, result.calls, (page - 1) * MAX_PAGE_SIZE, row.pass);
      return true;
    });
    if (!stillOwned) throw new JobLost();
    if (newKeys) storedKeys = keys.size;
    row = { ...row, ...set };
  };

  try {
    for (;;) {
      if (!row.inPass) {
        const reason = row.copiedAt === null ? "first" : row.upstreamSummary && settled(row.upstreamSummary) ? "final" : "refresh";
        await openPass(reason);
      }
      while (row.pagesDone < passLength(row)) {
        if (pagesRead >= slicePages || Date.now() >= sliceEnds) {
          // Due again at once: the scheduler decides who goes next (least recently served first).
          if (!(await write({ state: "pending", owner: null, nextSyncAt: new Date() }))) throw new JobLost();
          ended("yielded");
          slog.debug(
            { event: "sync.yielded", pass: row.pass, pagesDone: row.pagesDone, passPages: row.passPages },
            "Mirror sync slice ended mid-pass",
          );
          return { state: "yielded", frozen: false, mismatch: null, error: null };
        }
        await copyPage(pageAt(row, row.pagesDone), true);
        options.onPage?.({
          pagesDone: row.pagesDone,
          totalPages: row.totalPages,
          pass: row.pass,
          passReason: row.passReason!,
          passPages: row.passPages,
        });
      }
      // Resumed with every page already read: one read more for Trillet's current counts.
      if (!summary) await copyPage(pageAt(row, passLength(row) - 1), false);
      const outcome = await completePass(row, summary!);
      if (outcome) return outcome;
    }
  } catch (error) {
    if (error instanceof JobLost || lost.signal.aborted) {
      ended("lost");
      slog.info({ event: "sync.lost" }, "Mirror sync job taken over by another runner or an export");
      return { state: "lost", frozen: false, mismatch: null, error: null };
    }
    if (options.signal?.aborted) throw error; // stopped: leave the job running so it resumes
    if (isTrilletError(error)) return await fail(error.message, false, error);
    // Anything else is ours. A database error quotes the rows it was writing (phone numbers):
    // the line keeps its code and first message line only (lib/log.ts), the job shows less.
    return await fail("Saving the mirror failed; it will be tried again.", false, error);
  } finally {
    clearInterval(heartbeat);
  }

  /** Finished: nothing waiting or active, or cancelled with nothing active (its stopped calls stay waiting). */
  function settled(counts: BatchSummary): boolean {
    return isFinished(counts) || (row.cancelled && counts.active === 0);
  }

  /** Ends the pass just read: the next pass at once, or the job done (frozen after a clean final check). */
  async function completePass(pass: SyncJob, latest: BatchSummary): Promise<SyncOutcome | null> {
    const full = pass.passPlan === null;
    const final = full && pass.passSummary !== null && settled(pass.passSummary);
    const mirrored = await mirrorSummary(db, workspaceId, batchId);
    const seen = final ? await countSeenInPass(db, workspaceId, batchId, pass.pass) : latest.total;
    // Calls moved between pages under us, or the pass could not vouch for every job: read all again.
    if (full && (mirrored.total < latest.total || seen < latest.total)) {
      if (pass.recheckCount + 1 >= MAX_PASSES) return fail(`the mirror holds ${mirrored.total} calls after ${MAX_PASSES} passes`, true);
      await openPass("recheck", { recheckCount: pass.recheckCount + 1 });
      return null;
    }
    const now = new Date();
    // The workspace's batch list shows the counts of the latest complete read.
    await recordBatchRead(db, workspaceId, batchId, latest, now, null);
    // Notifications (finished, failure rate, stalled) before the pass is marked done: a crash in
    // between repeats the pass and the enqueue, which the events' stable ids make a no-op.
    await observeBatch(db, {
      workspaceId,
      batchId,
      summary: latest,
      sawRunning: !settled(latest) || (pass.passSummary !== null && !settled(pass.passSummary)),
      final,
      cancelled: row.cancelled,
      at: now,
    });
    // Fresh planner statistics after a full pass (PGlite has no autovacuum): without them search
    // skips the trigram index and scans the batch (measured: 200 ms -> 20 ms at 100,000 calls).
    if (full) await db.execute(sql`analyze mirror_calls`);
    const done: Partial<SyncJob> = {
      state: "done",
      inPass: false,
      copiedAt: pass.passStartedAt,
      finishedAt: now,
      lastSuccessAt: now,
      upstreamSummary: latest,
      recheckCount: 0,
    };
    if (!final) {
      // Refresh a running batch so that its next refresh's pages take about a quarter of the budget,
      // pass start to pass start (and at least minSpacingMs apart). A pass that took longer than
      // that (a shared budget, a first copy) is followed at once: its first pages are that old.
      // Once the batch has finished, the final check runs straight away.
      const windowMs = options.windowMs ?? 60_000;
      const nextPages = refreshPlan(await copiedPages(db, workspaceId, batchId), pass.totalPages, pass.refreshCount + 1).length;
      const period = Math.max(options.minSpacingMs ?? 15_000, (nextPages / Math.max(1, options.limitPerMinute)) * windowMs * 4);
      const took = now.getTime() - (pass.passStartedAt?.getTime() ?? now.getTime());
      const spacing = Math.min(windowMs / 2, Math.max(0, period - took));
      const refreshed = pass.passReason === "refresh" ? pass.refreshCount + 1 : 0;
      const next = new Date(settled(latest) ? now.getTime() : now.getTime() + spacing);
      if (!(await write({ ...done, mismatch: null, refreshCount: refreshed, nextSyncAt: next }))) throw new JobLost();
      ended("done");
      slog.debug(
        { event: "sync.done", pass: pass.pass, reason: pass.passReason, total: latest.total, nextSyncAt: next.toISOString() },
        "Mirror sync pass done",
      );
      return { state: "done", frozen: false, mismatch: null, error: null };
    }
    // Final pass: the mirror must equal Trillet, count for count and job for job.
    const mismatch = compare(latest, mirrored, mirrored.total - seen);
    // A mismatch stays visible and is checked again later; a frozen batch is never fetched again.
    const next = mismatch ? new Date(now.getTime() + 10 * 60_000) : NEVER;
    if (!(await write({ ...done, frozen: mismatch === null, mismatch, nextSyncAt: next }))) throw new JobLost();
    if (mismatch) {
      ended("mismatch");
      // Counts only: the summaries and how many mirrored calls Trillet no longer lists.
      slog.warn(
        { event: "sync.mismatch", pass: pass.pass, mismatch, nextSyncAt: next.toISOString() },
        "Mirror final check: the copy differs from Trillet; not frozen",
      );
    } else {
      ended("frozen");
      slog.info({ event: "sync.frozen", pass: pass.pass, total: latest.total }, "Mirror frozen: the copy equals Trillet's finished batch");
    }
    return { state: "done", frozen: mismatch === null, mismatch, error: null };
  }

  /** Records the failure; the pass stays open (the retry resumes it) unless `closePass`. */
  async function fail(message: string, closePass = false, cause?: unknown): Promise<SyncOutcome> {
    const error = message.slice(0, 500);
    const set: Partial<SyncJob> = { state: "failed", error, finishedAt: new Date(), nextSyncAt: new Date(Date.now() + 60_000) };
    const ours = cause !== undefined && !isTrilletError(cause);
    slog[ours ? "error" : "warn"](
      { event: "sync.failed", pass: row.pass, reason: error, ...(cause !== undefined ? { err: cause } : {}) },
      "Mirror sync failed; tried again later",
    );
    ended("failed");
    if (!(await write(closePass ? { ...set, inPass: false, recheckCount: 0 } : set)))
      return { state: "lost", frozen: false, mismatch: null, error: null };
    return { state: "failed", frozen: false, mismatch: null, error };
  }
}

function compare(upstream: BatchSummary, mirrored: BatchSummary, extra: number): Record<string, unknown> | null {
  const keys = ["total", "waiting", "active", "completed", "failed"] as const;
  const differs = keys.some((k) => upstream[k] !== mirrored[k]);
  return differs || extra > 0 ? { upstream, mirrored, notListedByTrillet: extra } : null;
}
