// How the mirror's runners share the work (lib/batches/mirror-worker.ts), also used to estimate
// a waiting copy's turn (mirror-status.ts). No imports: safe for any module.

/** Slices run at once per instance: enough that a slow batch never holds up the others. */
export const SLOTS = 4;
/** A slice reads at most this many pages, or for at most SLICE_MS, then hands the job back. */
export const SLICE_PAGES = 10;
export const SLICE_MS = 15_000;
/** The share of the workspace budget background reads may use (RequestBudget's default backgroundShare). */
export const BACKGROUND_SHARE = 0.8;
