import { FALLBACK_LOCALE } from "@/lib/locale";
import type { MirrorStatus } from "@/lib/mirror/status";

import { formatCount } from "./format";

// What a copy is doing, in words, from its MirrorStatus: shared by the batch page's note, the
// failure drilldown and the charts, so every place says the same thing.

export type CopyProgressInput = Pick<
  MirrorStatus,
  "frozen" | "pagesDone" | "totalPages" | "pass" | "passReason" | "inPass" | "passPages" | "queue"
>;

const ORDINALS = ["first", "second", "third", "fourth", "fifth"];

function pages(done: number, total: number, locale: string): string {
  return `${formatCount(Math.min(done, total), locale)} of ${formatCount(total, locale)} ${total === 1 ? "page" : "pages"}`;
}

/** "under a minute", "about 3 min": a rough wait, never a precise promise. */
export function formatWait(ms: number, locale: string = FALLBACK_LOCALE): string {
  if (ms < 60_000) return "under a minute";
  return `about ${formatCount(Math.round(ms / 60_000), locale)} min`;
}

function waiting(queue: NonNullable<CopyProgressInput["queue"]>, copied: boolean, locale: string): string {
  if (queue.ahead === 0) return copied ? "refresh starting" : "copy starting";
  const ahead = `${formatCount(queue.ahead, locale)} ${queue.ahead === 1 ? "batch" : "batches"} ahead, ${formatWait(queue.etaMs, locale)}`;
  return `${copied ? "waiting to refresh the copy" : "waiting to copy"}: ${ahead}`;
}

/**
 * One line: where the copy stands. Pages count up within a pass and never go back; a new pass
 * says why it reads pages again. The total shows once Trillet has told it ("starting" before).
 */
export function copyProgressText(m: CopyProgressInput, locale: string = FALLBACK_LOCALE): string {
  if (m.frozen) return "copied in full";
  const started = m.inPass && (m.pagesDone > 0 || m.passPages > 0);
  if (m.queue && (!m.inPass || m.pagesDone === 0)) return waiting(m.queue, m.pass > (m.inPass ? 1 : 0), locale);
  if (!m.inPass) return m.pass > 0 ? "copy up to date; refreshed while the batch runs" : "copy starting";
  if (!started) return "copy starting";
  const total = Math.max(m.passPages, 1);
  switch (m.passReason) {
    case "refresh":
      return `refreshing the copy: ${pages(m.pagesDone, total, locale)} that can still change`;
    case "final": {
      const ordinal = m.pass === 2 ? `${ORDINALS[1]} pass` : "final pass";
      return `${ordinal}: checking against Trillet, ${pages(m.pagesDone, total, locale)}`;
    }
    case "recheck": {
      const ordinal = ORDINALS[m.pass - 1] ?? "another";
      return `calls moved while copying; ${ordinal} pass reads every page again: ${pages(m.pagesDone, total, locale)}`;
    }
    default:
      return `copying for search and reports: ${pages(m.pagesDone, total, locale)}`;
  }
}
