import "server-only";

import { randomUUID } from "node:crypto";

import type { WorkspaceGateway } from "../trillet/gateway";

// Progress of the exports that walk Trillet. Such an export reads the whole batch before its first
// row (the header needs every metadata key), which takes a minute per 60 pages at Trillet's rate
// limit; the export menu polls this for "page 120 of 1,000" and the budget left, by the id the
// response's headers carry. Kept in this process: a poll that reaches another instance gets 404
// and the menu keeps its indeterminate bar.

/** How long a finished export's last figures stay readable (the menu's final poll). */
const KEEP_AFTER_END_MS = 60_000;

export interface ExportProgress {
  /** reading: walking Trillet; writing: every call read, the CSV is streaming; then done or failed. */
  phase: "reading" | "writing" | "done" | "failed";
  pagesDone: number;
  totalPages: number;
  /** Calls read so far, and the calls the walk expects, as far as it knows now. */
  rows: number;
  expected: number;
}

export interface ExportProgressView extends ExportProgress {
  /** The workspace budget now: requests left in the current window of `limitPerMinute`. */
  budget: { limitPerMinute: number; left: number; pausedUntil: number | null };
}

interface Entry {
  userId: string | null;
  workspaceId: string;
  batchId: string;
  gateway: Pick<WorkspaceGateway, "budget" | "limitPerMinute">;
  progress: ExportProgress;
  timer?: ReturnType<typeof setTimeout>;
}

export interface ProgressOwner {
  userId: string | null;
  workspaceId: string;
  batchId: string;
}

const holder = globalThis as typeof globalThis & { __batchboardExportProgress?: Map<string, Entry> };
const entries = (holder.__batchboardExportProgress ??= new Map());

/** Registers an export; returns its id and the functions that report on it. */
export function trackExportProgress(owner: ProgressOwner, gateway: Entry["gateway"], id: string = randomUUID()) {
  const entry: Entry = { ...owner, gateway, progress: { phase: "reading", pagesDone: 0, totalPages: 0, rows: 0, expected: 0 } };
  entries.set(id, entry);
  const end = (phase: "done" | "failed") => {
    entry.progress = { ...entry.progress, phase };
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => entries.delete(id), KEEP_AFTER_END_MS);
    entry.timer.unref?.();
  };
  return {
    id,
    update: (progress: Partial<ExportProgress>) => {
      entry.progress = { ...entry.progress, ...progress };
    },
    end,
  };
}

/** The progress of an export, for the user who started it in that workspace and batch only. */
export function readExportProgress(id: string, owner: ProgressOwner): ExportProgressView | null {
  const entry = entries.get(id);
  if (!entry || entry.userId !== owner.userId || entry.workspaceId !== owner.workspaceId || entry.batchId !== owner.batchId) return null;
  const stats = entry.gateway.budget.stats();
  const limit = entry.gateway.limitPerMinute;
  return {
    ...entry.progress,
    budget: { limitPerMinute: limit, left: Math.max(0, limit - stats.inWindow), pausedUntil: stats.pausedUntil },
  };
}
