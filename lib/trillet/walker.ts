import "server-only";

import type { Priority } from "./budget";
import { WalkIncompleteError } from "./errors";
import type { WorkspaceGateway } from "./gateway";
import { isFinished, MAX_PAGE_SIZE, type BatchSummary, type CallsPage, type CallStatusFilter, type TrilletCall } from "./schemas";

export interface WalkProgress {
  pagesDone: number;
  totalPages: number;
  /** Calls yielded so far. */
  rows: number;
  /** Calls the walk expects to yield, as far as it knows now. */
  expected: number;
  pass: number;
}

/** One page as Trillet answered it (before dedup), with where it was read: a copy of the listing. */
export interface WalkPage {
  page: number;
  pass: number;
  /** The status filter the page was read with ("all" for any walk of a running batch). */
  status: CallStatusFilter;
  limit: number;
  result: CallsPage;
}

export interface WalkOptions {
  status?: CallStatusFilter;
  priority?: Priority;
  /** Pages requested at once; the gateway's budget paces them anyway. */
  concurrency?: number;
  maxPasses?: number;
  signal?: AbortSignal;
  onProgress?: (progress: WalkProgress) => void;
  /** Each page in page order, awaited before its calls are yielded (the export fills the mirror with it). */
  onPage?: (page: WalkPage) => void | Promise<void>;
}

export interface WalkResult {
  summary: BatchSummary;
  rows: number;
  passes: number;
}

/**
 * Reads every call of a batch, optionally of one status, and yields each jobId exactly once.
 *
 * Upstream order is undocumented and calls change status while we read, so page boundaries move
 * under a filtered walk of a running batch. A running batch is therefore walked unfiltered (its
 * call set is fixed) and filtered here; a finished batch is immutable and uses Trillet's filter.
 * Every pass is reconciled against the count Trillet reports; pages are re-read until the set is
 * whole, and a walk that cannot account for every call throws rather than ending short.
 */
export async function* walkBatch(
  gateway: WorkspaceGateway,
  batchId: string,
  options: WalkOptions = {},
): AsyncGenerator<TrilletCall[], WalkResult> {
  const wanted = options.status ?? "all";
  const priority = options.priority ?? "bulk";
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const maxPasses = Math.max(1, options.maxPasses ?? 3);
  const { signal } = options;
  const read = (page: number, status: CallStatusFilter) =>
    gateway.listCalls(batchId, { page, limit: MAX_PAGE_SIZE, status }, { priority, signal, fresh: true });

  let first = await read(1, wanted);
  // A running batch: read everything and filter locally (see above).
  const serverFilter = wanted === "all" || isFinished(first.summary) ? wanted : "all";
  if (serverFilter !== wanted) first = await read(1, "all");
  const matches = (call: TrilletCall) => wanted === "all" || call.status === wanted;

  const seen = new Set<string>();
  let rows = 0;
  let summary = first.summary;
  // The whole (fixed) call set for an unfiltered walk, or the latest filtered count Trillet gave.
  let expected = first.pagination.total;
  let pagesDone = 0;
  let totalPages = first.pagination.totalPages;

  for (let pass = 1; pass <= maxPasses; pass++) {
    const inFlight = new Map<number, ReturnType<typeof read>>();
    let next = 1;
    const request = (page: number) => {
      const pending = page === 1 && pass === 1 ? Promise.resolve(first) : read(page, serverFilter);
      // Read ahead while the consumer holds a yielded page: a failure (an abort) must not surface as
      // an unhandled rejection before the loop awaits it (it still throws there).
      pending.catch(() => {});
      inFlight.set(page, pending);
    };
    try {
      for (let page = 1; page <= totalPages || inFlight.size > 0; page++) {
        while (next <= totalPages && inFlight.size < concurrency) request(next++);
        const pending = inFlight.get(page);
        if (!pending) break;
        const result = await pending;
        inFlight.delete(page);
        summary = result.summary;
        // Filtered sets of a finished batch cannot change; an unfiltered set is fixed by the batch.
        expected = Math.max(expected, result.pagination.total);
        totalPages = Math.max(totalPages, result.pagination.totalPages);
        const fresh = result.calls.filter((call) => !seen.has(call.jobId));
        for (const call of fresh) seen.add(call.jobId);
        if (options.onPage) await options.onPage({ page, pass, status: serverFilter, limit: MAX_PAGE_SIZE, result });
        pagesDone++;
        const out = serverFilter === wanted ? fresh : fresh.filter(matches);
        rows += out.length;
        options.onProgress?.({ pagesDone, totalPages, rows, expected: expectedRows(), pass });
        if (out.length) yield out;
      }
    } finally {
      // A consumer that stops early leaves at most `concurrency` reads behind; their failures
      // must not surface as unhandled rejections.
      for (const pending of inFlight.values()) pending.catch(() => {});
    }
    if (seen.size === expected) return { summary, rows, passes: pass };
    if (seen.size > expected) {
      throw new WalkIncompleteError(`batch ${batchId} reported ${expected} calls but ${seen.size} distinct ones were read`);
    }
  }
  throw new WalkIncompleteError(`batch ${batchId}: ${seen.size} of ${expected} calls could be read after ${maxPasses} passes`);

  function expectedRows() {
    if (serverFilter === wanted) return expected;
    return wanted === "all" ? summary.total : (summary[wanted as keyof BatchSummary] ?? 0);
  }
}

/** Collects a whole walk; for small batches and tests (exports stream instead). */
export async function collectBatch(
  gateway: WorkspaceGateway,
  batchId: string,
  options: WalkOptions = {},
): Promise<{ calls: TrilletCall[]; result: WalkResult }> {
  const calls: TrilletCall[] = [];
  const walk = walkBatch(gateway, batchId, options);
  for (;;) {
    const step = await walk.next();
    if (step.done) return { calls, result: step.value };
    calls.push(...step.value);
  }
}
