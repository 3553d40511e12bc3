import "server-only";

import { sql } from "drizzle-orm";

import type { Database } from "../db";
import { MAX_PAGE_SIZE } from "../trillet/schemas";

// Which pages a refresh of a running batch re-reads. In Trillet's stable row order (status "all")
// a call keeps its page, and a finished call never changes, so only pages holding waiting or
// active calls in the copy can differ from Trillet, plus pages the copy lacks.

/** Pages holding waiting calls re-read every refresh beyond the dial frontier (at least this many). */
const FRONTIER_PAGES = 2;
/** Other pages holding waiting calls re-read per refresh, in rotation, so none is left unread for long. */
const ROTATING_PAGES = 4;

export interface PageState {
  page: number;
  /** Calls of this page in the copy. */
  calls: number;
  active: boolean;
  waiting: boolean;
}

/** Per page of the copy (row_no / 100 + 1): how many calls it holds and whether any may still change. */
export async function copiedPages(db: Database, workspaceId: string, batchId: string): Promise<PageState[]> {
  // Both drivers (node-postgres and PGlite) answer raw SQL with `{ rows }`.
  const result = (await db.execute(sql`
    select row_no / ${MAX_PAGE_SIZE} + 1 as page, count(*)::int as calls,
      bool_or(status = 'active') as active, bool_or(status = 'waiting') as waiting
    from mirror_calls
    where workspace_id = ${workspaceId} and batch_id = ${batchId}
    group by 1 order by 1`)) as unknown as { rows: PageState[] };
  return result.rows.map((r) => ({ page: Number(r.page), calls: Number(r.calls), active: Boolean(r.active), waiting: Boolean(r.waiting) }));
}

/**
 * The pages a refresh reads, ascending (Trillet's order): every page with active calls; the first
 * pages with waiting calls (the dial frontier, as wide as the active stretch and at least
 * FRONTIER_PAGES); pages missing or short in the copy and the last page (new calls, Trillet's
 * counts); and ROTATING_PAGES of the other waiting pages, taken in turn by `refreshCount`, so a
 * batch dialled out of order is still caught up within a few refreshes. Never empty.
 */
export function refreshPlan(pages: PageState[], totalPages: number, refreshCount: number): number[] {
  const plan = new Set<number>();
  const byPage = new Map(pages.map((p) => [p.page, p]));
  for (let page = 1; page <= totalPages; page++) {
    const state = byPage.get(page);
    if (!state || (state.calls < MAX_PAGE_SIZE && page < totalPages)) plan.add(page);
  }
  if (totalPages > 0) plan.add(totalPages);
  const active = pages.filter((p) => p.active).map((p) => p.page);
  for (const page of active) plan.add(page);
  const waiting = pages.filter((p) => p.waiting && !p.active).map((p) => p.page);
  const frontier = Math.max(FRONTIER_PAGES, active.length);
  for (const page of waiting.slice(0, frontier)) plan.add(page);
  const rest = waiting.slice(frontier).filter((page) => !plan.has(page));
  if (rest.length > 0) {
    const start = (refreshCount * ROTATING_PAGES) % rest.length;
    for (let i = 0; i < Math.min(ROTATING_PAGES, rest.length); i++) plan.add(rest[(start + i) % rest.length]!);
  }
  if (plan.size === 0) plan.add(1);
  return [...plan].sort((a, b) => a - b);
}
