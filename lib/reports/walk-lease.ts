import "server-only";

import type { Database } from "../db";
import { logger } from "../log";
import { takeOverSync, type FillOutcome, type WalkFill } from "../mirror/from-walk";
import { isFinished, type BatchSummary } from "../trillet/schemas";
import type { WalkPage, WalkResult } from "../trillet/walker";
import { takeExportSlot, type ExportLimits, type ExportSlot } from "./export-slots";

// What an export that walks Trillet holds while it reads: a slot under the export limits and,
// for a walk of status=all pages, the batch's mirror sync job (the pages fill the mirror copy).
// Both are renewed while the walk runs and let go when it ends, whichever way it ends.

/** How often a running walk renews its slot and its sync job (both expire well after this). */
const HEARTBEAT_MS = 10_000;

export interface WalkLeaseRequest {
  exportId: string;
  workspaceId: string;
  batchId: string;
  userKey: string;
  limits: ExportLimits;
  /** The walk reads status=all pages: copy them into the mirror. */
  fillMirror: boolean;
  /** The workspace's budget, for the estimate of when the walk ends (a refusal's Retry-After). */
  limitPerMinute: number;
}

export interface WalkLease {
  /** For walkBatch's onPage: copies the page into the mirror, if this walk fills it. */
  onPage(page: WalkPage): Promise<void>;
  /** For walkBatch's onProgress: the pages left, for the slot's estimated end. */
  progress(p: { pagesDone: number; totalPages: number }): void;
  /** The walk is being read to its end now: keep the slot and the job alive meanwhile. */
  keepAlive(): void;
  /** The walk completed: freeze the mirror (a verified final pass) or hand the job back; free the slot. */
  complete(result: WalkResult): Promise<FillOutcome | null>;
  /** The walk failed or was cancelled: let everything go (idempotent). */
  abandon(): Promise<void>;
}

export type WalkLeaseAnswer =
  { ok: true; lease: WalkLease } | { ok: false; scope: "user" | "workspace"; limit: number; running: number; retryAfterS: number };

const warn = (what: string) => (error: unknown) => logger().error({ event: "export.lease_failed", err: error }, `Export: ${what}`);

export async function leaseWalk(db: Database, request: WalkLeaseRequest): Promise<WalkLeaseAnswer> {
  const taken = await takeExportSlot(
    db,
    { exportId: request.exportId, workspaceId: request.workspaceId, userKey: request.userKey, batchId: request.batchId },
    request.limits,
  );
  if (!taken.ok) return taken;
  const slot: ExportSlot = taken.slot;
  // The mirror copy is a by-product: a failure to take or fill it never fails the export. The job
  // is taken on the first page, once Trillet has said the batch exists.
  let fill: WalkFill | null = null;
  let startSummary: BatchSummary | null = null;
  let pagesLeft: number | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  let ended = false;

  const estimate = () => (pagesLeft === null ? undefined : { pagesLeft, limitPerMinute: request.limitPerMinute });
  const stopFilling = async () => {
    const held = fill;
    fill = null;
    await held?.release().catch(warn("could not hand the mirror job back"));
  };

  return {
    ok: true,
    lease: {
      async onPage(page) {
        if (!startSummary) {
          startSummary = page.result.summary;
          if (request.fillMirror && !ended) {
            fill = await takeOverSync(db, request.workspaceId, request.batchId, request.exportId).catch((error: unknown) => {
              warn("could not take the mirror job")(error);
              return null;
            });
            // Cancelled while the job was being taken: hand it straight back.
            if (ended) await stopFilling();
          }
        }
        if (!fill) return;
        try {
          await fill.page(page);
        } catch (error) {
          warn("copying a page into the mirror failed; the mirror sync will copy the batch")(error);
          await stopFilling();
        }
      },
      progress({ pagesDone, totalPages }) {
        const first = pagesLeft === null;
        pagesLeft = Math.max(0, totalPages - pagesDone);
        if (first) void slot.heartbeat(estimate()).catch(warn("could not renew the export slot"));
      },
      keepAlive() {
        if (timer || ended) return;
        timer = setInterval(() => {
          void slot.heartbeat(estimate()).catch(warn("could not renew the export slot"));
          void fill?.heartbeat().catch(warn("could not renew the mirror job"));
        }, HEARTBEAT_MS);
        timer.unref?.();
      },
      async complete(result) {
        if (ended) return null;
        ended = true;
        clearInterval(timer);
        let outcome: FillOutcome | null = null;
        const held = fill;
        fill = null;
        if (held && startSummary) {
          outcome = await held.finish(result.summary, isFinished(startSummary)).catch(async (error: unknown) => {
            warn("could not freeze the mirror from the walk")(error);
            await held.release().catch(warn("could not hand the mirror job back"));
            return null;
          });
        } else await held?.release().catch(warn("could not hand the mirror job back"));
        await slot.release().catch(warn("could not free the export slot"));
        return outcome;
      },
      async abandon() {
        if (ended) return;
        ended = true;
        clearInterval(timer);
        await stopFilling();
        await slot.release().catch(warn("could not free the export slot"));
      },
    },
  };
}
