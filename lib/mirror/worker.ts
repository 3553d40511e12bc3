import "server-only";

import { randomUUID } from "node:crypto";
import { hostname } from "node:os";

import { getDb, type Database } from "../db";
import { env } from "../env";
import { logger, withLogContext } from "../log";
import type { WorkspaceGateway } from "../trillet/gateway";
import { findWorkspaceById } from "../workspaces";
import { SLICE_MS, SLICE_PAGES, SLOTS } from "./pace";
import { claimNextSync, releaseClaims, runSync, STALE_AFTER_MS, type SyncJob, type SyncOptions, type SyncOutcome } from "./sync";

export interface SliceEvent {
  owner: string;
  workspaceId: string;
  batchId: string;
  startedAt: number;
  endedAt: number;
  outcome: SyncOutcome | { state: "error"; error: string };
}

export interface MirrorRunnersOptions {
  /** This instance's name; each slot owns jobs as `<instance>/<slot>`. */
  instance: string;
  database: () => Promise<Database>;
  gatewayFor: (workspaceId: string) => Promise<WorkspaceGateway | null>;
  /** Budget pacing passed to every slice (limitPerMinute, windowMs, minSpacingMs). */
  sync: Pick<SyncOptions, "limitPerMinute" | "windowMs" | "minSpacingMs" | "heartbeatMs">;
  slots?: number;
  slice?: { maxPages: number; maxMs: number };
  /** Idle slots look for due work this often. */
  pollMs?: number;
  staleAfterMs?: number;
  afterFrozen?: (job: SyncJob, db: Database) => Promise<void>;
  /** Told about every slice (tests, benchmarks). */
  onSlice?: (event: SliceEvent) => void;
}

/**
 * The mirror's runners in one instance: `slots` loops, each claiming one slice of the next due
 * job (least recently served first), running it, and handing the job back. Batches progress page
 * by page side by side, every read at background priority through the workspace's budget (which
 * interleaves the slots' requests), so a small or new batch never waits for a big one's copy.
 * Stopping hands back whatever this instance holds, due at once, for another instance to resume.
 */
export function startMirrorRunners(options: MirrorRunnersOptions): { stop(): Promise<void> } {
  const controller = new AbortController();
  const { signal } = controller;
  const slots = options.slots ?? SLOTS;
  const owners = Array.from({ length: slots }, (_, i) => `${options.instance}/${i + 1}`);
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref?.();
      signal.addEventListener("abort", wake, { once: true });
    });

  const slot = async (owner: string) => {
    while (!signal.aborted) {
      let job: SyncJob | null = null;
      const startedAt = Date.now();
      try {
        const db = await options.database();
        job = await claimNextSync(db, owner, options.staleAfterMs ?? STALE_AFTER_MS);
        if (!job) {
          await pause(options.pollMs ?? 2_000);
          continue;
        }
        const gateway = await options.gatewayFor(job.workspaceId);
        // The workspace was removed under us (its jobs go with it): nothing to copy.
        if (!gateway) continue;
        const claimed = job;
        const outcome = await withLogContext({ syncOwner: owner }, () =>
          runSync(db, gateway, claimed, { ...options.sync, slice: options.slice ?? { maxPages: SLICE_PAGES, maxMs: SLICE_MS }, signal }),
        );
        options.onSlice?.({ owner, workspaceId: job.workspaceId, batchId: job.batchId, startedAt, endedAt: Date.now(), outcome });
        if (outcome.frozen) await options.afterFrozen?.(job, db);
      } catch (error) {
        if (signal.aborted) break;
        const message = error instanceof Error ? error.message : String(error);
        logger().error(
          { event: "sync.runner_error", syncOwner: owner, workspace: job?.workspaceId, batch: job?.batchId, err: error },
          "Mirror runner error",
        );
        if (job)
          options.onSlice?.({
            owner,
            workspaceId: job.workspaceId,
            batchId: job.batchId,
            startedAt,
            endedAt: Date.now(),
            outcome: { state: "error", error: message },
          });
        await pause(options.pollMs ?? 2_000);
      }
    }
  };

  const done = Promise.all(owners.map(slot));
  return {
    async stop() {
      controller.abort(new Error("mirror worker stopped"));
      await done.catch(() => {});
      const db = await options.database().catch(() => null);
      if (db)
        await releaseClaims(db, owners).catch((error: unknown) =>
          logger().error({ event: "sync.release_failed", err: error }, "Mirror: claims not released"),
        );
    },
  };
}

/**
 * The app's runners (lib/startup.ts): the app's database, workspaces and budget settings.
 * `afterFrozen` comes from the caller, so the mirror never imports the reports built on it.
 */
export function startMirrorWorker(afterFrozen?: (job: SyncJob, db: Database) => Promise<void>, pollMs = 2_000): { stop(): Promise<void> } {
  return startMirrorRunners({
    instance: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    database: getDb,
    gatewayFor: async (workspaceId) => (await findWorkspaceById(await getDb(), workspaceId))?.gateway ?? null,
    sync: { limitPerMinute: env.TRILLET_RATE_LIMIT_PER_MINUTE },
    pollMs,
    afterFrozen,
  });
}
