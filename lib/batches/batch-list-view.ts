import { defineUrlState, param, type ViewOf } from "../url-state";

// The batches list's URL state (?sort=&dir=), declared once: the page reads it and its sort headers
// write it. Client-safe; the list itself is in batch-list.ts.

export const BATCH_LIST_SORTS = ["added", "label", "total", "success", "refreshed"] as const;
export type BatchListSort = (typeof BATCH_LIST_SORTS)[number];
export type SortDir = "asc" | "desc";

/** The direction a column sorts in when first chosen: names A to Z, numbers and dates biggest first. */
export const DEFAULT_DIRS: Record<BatchListSort, SortDir> = {
  label: "asc",
  added: "desc",
  total: "desc",
  success: "desc",
  refreshed: "desc",
};

export const batchListState = defineUrlState({
  // Newest first unless asked otherwise.
  sort: param.oneOf(BATCH_LIST_SORTS),
  // A missing or malformed dir is the column's own direction (and left out of links).
  dir: param.oneOf(["asc", "desc"], { default: (view) => DEFAULT_DIRS[view.sort as BatchListSort] }),
});

export type BatchListView = ViewOf<typeof batchListState.fields>;

export const DEFAULT_BATCH_LIST_VIEW: BatchListView = batchListState.defaults;

export const parseBatchListView = batchListState.parse;

/** The query string of a view, empty for the default so the plain URL stays canonical. */
export const batchListQuery = batchListState.serialize;
