import "server-only";

import { randomUUID } from "node:crypto";

import { recordAuditEvent, type Actor, type RequestInfo } from "../audit";
import { upstreamErrorResponse } from "../batches/api-errors";
import { parseExportView, type ExportView } from "../batches/search-params";
import type { Database } from "../db";
import { env } from "../env";
import { isDraining, isShutdownError, trackExport } from "../lifecycle";
import { logger } from "../log";
import { metrics } from "../metrics";
import { getMirrorStatus } from "../mirror/status";
import { batchIdSchema } from "../trillet/batch-id";
import { isTrilletError } from "../trillet/errors";
import { walkBatch } from "../trillet/walker";
import type { Workspace } from "../workspaces";
import type { CachedView, ExportCache } from "./cache";
import { columnSpec } from "./columns";
import { limitMessage, type ExportLimits } from "./export-slots";
import { attachment, exportFileName } from "./filename";
import { trackExportProgress } from "./progress";
import { mirrorExport, spoolWalk, type Spool } from "./sources";
import { leaseWalk } from "./walk-lease";
import { csvStream, renderCsv, type CsvChunk, type CsvCopy, type CsvSource } from "./writer";

// The export route's body, without Next: tests call it with a database, a workspace (and its
// gateway) and a URL, and read the Response's stream like a browser would.

export interface ExportRequest {
  db: Database;
  workspace: Pick<Workspace, "id" | "slug" | "gateway">;
  actor: Actor;
  batchId: string;
  params: URLSearchParams;
  /** The client's request signal: a closed connection stops the walk. */
  signal?: AbortSignal;
  request?: RequestInfo | null;
  now?: () => Date;
  /** Where finished exports of frozen batches are kept (see cache.ts); none: every export renders. */
  cache?: ExportCache | null;
  /** Walking exports allowed at once (default: EXPORT_MAX_PER_USER, EXPORT_MAX_PER_WORKSPACE). */
  limits?: ExportLimits;
}

/** Header names the browser's export menu reads (exposed to same-origin fetch anyway). */
export const EXPORT_TOTAL_HEADER = "x-export-total";
export const EXPORT_SOURCE_HEADER = "x-export-source";
/** Set when the export walks Trillet: the id of its progress (see progress.ts). */
export const EXPORT_ID_HEADER = "x-export-id";

const json = (status: number, error: string) => Response.json({ error }, { status, headers: { "cache-control": "private, no-store" } });

/** A walking export whose download is not read within this long is given up (see below). */
const UNREAD_MS = 60_000;
const defaultLimits = (): ExportLimits => ({ perUser: env.EXPORT_MAX_PER_USER, perWorkspace: env.EXPORT_MAX_PER_WORKSPACE });

/** A failure's words for the audit log and the user: ours or Trillet's typed message, never a stack. */
function reasonOf(error: unknown): string {
  if (isTrilletError(error)) return error.message;
  if (isShutdownError(error)) return error.message;
  if (error instanceof DOMException && error.name === "AbortError") return "The download was cancelled.";
  return "The export failed on the server.";
}

const cachedViewOf = (
  workspaceId: string,
  batchId: string,
  frozenAt: number,
  view: Pick<ExportView, "format" | "status" | "reason" | "q">,
): CachedView => ({
  workspaceId,
  batchId,
  frozenAt,
  format: view.format,
  status: view.status,
  reason: view.reason,
  q: view.q,
});

/**
 * Renders a frozen batch's whole report into the cache, so that even its first "All calls:
 * report" download streams a kept file. The mirror worker calls it when a batch freezes. Nobody
 * exported anything, so nothing is audited. True when it wrote a file.
 */
export async function warmExportCache(db: Database, workspaceId: string, batchId: string, cache: ExportCache): Promise<boolean> {
  const mirror = await getMirrorStatus(db, workspaceId, batchId);
  if (!mirror?.frozen || !mirror.lastSuccessAt) return false;
  const all = { format: "report", status: "all", reason: "", q: "" } as const;
  const cacheView = cachedViewOf(workspaceId, batchId, mirror.lastSuccessAt, all);
  const kept = await cache.open(cacheView);
  if (kept) {
    await kept.close();
    return false;
  }
  const writer = await cache.writer(cacheView);
  if (!writer) return false;
  let rows = 0;
  try {
    const data = await mirrorExport(db, workspaceId, batchId, all);
    for await (const chunk of renderCsv(async () => ({ spec: columnSpec(all.format, batchId, data.keys), calls: data.calls }))) {
      rows += chunk.rows;
      await writer.write(chunk.bytes);
    }
  } catch (error) {
    await writer.discard();
    throw error;
  }
  await writer.commit(rows);
  return true;
}

export async function runExport(input: ExportRequest): Promise<Response> {
  // A failure before the stream exists (the database, the cache) must not leave the export
  // registered with the shutdown.
  const scope = { detach: () => {} };
  try {
    return await startExport(input, scope);
  } catch (error) {
    scope.detach();
    throw error;
  }
}

/** What an export streams, wherever it comes from: the CSV's chunks and what the response says about them. */
export interface ExportSource {
  /** The CSV's chunks (header first), pulled by the response's stream. */
  rows: () => AsyncIterator<CsvChunk>;
  /** Rows the file will hold, as known when the response starts; -1: unknown (filtered in the walk). */
  total: number;
  /** Where the rows come from: the frozen mirror (no upstream request) or a walk through the gateway. */
  source: "mirror" | "trillet";
  /** Set when a frozen batch's view streams a file kept from an earlier export (cache.ts). */
  cached: boolean;
  /** Where a first export of a frozen batch's view is written as it streams, to be kept. */
  copy: CsvCopy | null;
  /** A walking export's progress (its id goes in the response's headers); null otherwise. */
  progress: ReturnType<typeof trackExportProgress> | null;
}

/** An export refused before its stream exists: the response to send and what the audit records. */
interface Refusal {
  refused: Response;
  source: "mirror" | "trillet";
  reason: string;
  /** Added to the audit row's detail. */
  detail?: Record<string, unknown>;
  /** Added to the log line. */
  log?: Record<string, unknown>;
  /** The failure itself, for the log (codes and first message lines only). */
  error?: unknown;
}

interface SourceContext {
  input: ExportRequest;
  view: ExportView;
  batchId: string;
  exportId: string;
  /** Aborted by a cancelled download, the shutdown or an unread download: stops the walk. */
  abort: AbortController;
  /** Records the promise of the walk's slot and leases being released (the shutdown waits for it). */
  onRelease: (released: Promise<unknown>) => void;
}

/**
 * Where an export's rows come from. A frozen batch: the kept file of that view, or rendered from
 * the mirror (and kept). Any other batch: a walk through the gateway at bulk priority, within the
 * export slots (refused past them), its first page read before the response starts (an unknown
 * batch or an unreachable Trillet is a plain JSON error), spooled, then written as CSV.
 */
async function exportSource(ctx: SourceContext): Promise<ExportSource | Refusal> {
  const { input, view, batchId, exportId, abort } = ctx;
  const { db, workspace } = input;
  const mirror = await getMirrorStatus(db, workspace.id, batchId);
  if (mirror?.frozen && mirror.lastSuccessAt) {
    // A frozen batch never changes: the same view exported before is a finished file.
    const cacheView = cachedViewOf(workspace.id, batchId, mirror.lastSuccessAt, view);
    const hit = (await input.cache?.open(cacheView)) ?? null;
    if (hit) {
      // A download cancelled before its first read never starts the generator: close the file here.
      abort.signal.addEventListener("abort", () => void hit.close(), { once: true });
      return {
        source: "mirror",
        cached: true,
        total: hit.rows,
        copy: null,
        progress: null,
        rows: async function* () {
          for await (const bytes of hit.chunks()) yield { bytes, rows: 0 };
          yield { bytes: new Uint8Array(0), rows: hit.rows };
        },
      };
    }
    const data = await mirrorExport(db, workspace.id, batchId, view);
    return {
      source: "mirror",
      cached: false,
      total: data.total,
      copy: (await input.cache?.writer(cacheView)) ?? null,
      progress: null,
      rows: () => renderCsv(async () => ({ spec: columnSpec(view.format, batchId, data.keys), calls: data.calls })),
    };
  }

  // Every walking export shares the workspace's budget: past the limits it is refused up front
  // (a mirrored export costs no budget and is never limited).
  const leased = await leaseWalk(db, {
    exportId,
    workspaceId: workspace.id,
    batchId,
    userKey: input.actor.id ?? `email:${input.actor.email ?? ""}`,
    limits: input.limits ?? defaultLimits(),
    // A walk of every status reads the pages the mirror sync would: they fill the mirror copy.
    fillMirror: view.status === "all",
    limitPerMinute: workspace.gateway.limitPerMinute,
  });
  if (!leased.ok) {
    const message = limitMessage(leased);
    return {
      source: "trillet",
      reason: message,
      detail: { limit: { scope: leased.scope, max: leased.limit } },
      log: { scope: leased.scope, limit: leased.limit, retryAfterS: leased.retryAfterS },
      refused: Response.json(
        {
          error: message,
          kind: "export_limit",
          scope: leased.scope,
          retryAt: new Date(Date.now() + leased.retryAfterS * 1000).toISOString(),
        },
        { status: 429, headers: { "retry-after": String(leased.retryAfterS), "cache-control": "private, no-store" } },
      ),
    };
  }
  const lease = leased.lease;
  lease.keepAlive();
  const tracker = trackExportProgress({ userId: input.actor.id, workspaceId: workspace.id, batchId }, workspace.gateway, exportId);
  let total = 0;
  const walk = walkBatch(workspace.gateway, batchId, {
    status: view.status,
    priority: "bulk",
    signal: abort.signal,
    onPage: (page) => lease.onPage(page),
    onProgress: (p) => {
      total = Math.max(total, p.expected);
      tracker.update({ pagesDone: p.pagesDone, totalPages: p.totalPages, rows: p.rows, expected: p.expected });
      lease.progress(p);
    },
  });
  let first: Awaited<ReturnType<typeof walk.next>>;
  try {
    first = await walk.next();
  } catch (error) {
    tracker.end("failed");
    await lease.abandon();
    return {
      source: "trillet",
      reason: reasonOf(error),
      error,
      refused: isShutdownError(error)
        ? Response.json(
            { error: error.message, kind: "shutting_down" },
            { status: 503, headers: { "retry-after": "5", "cache-control": "private, no-store" } },
          )
        : upstreamErrorResponse(error),
    };
  }
  abort.signal.addEventListener("abort", () => ctx.onRelease(lease.abandon()), { once: true });
  // The slot and the mirror job are renewed until the walk ends; a download nobody reads
  // (a browser reads at once) must not hold them for as long as its connection stays open.
  const unread = setTimeout(() => abort.abort(new DOMException("The download was not read.", "AbortError")), UNREAD_MS);
  unread.unref?.();
  let spool: Spool | null = null;
  const open = async (): Promise<CsvSource> => {
    clearTimeout(unread);
    try {
      spool = await spoolWalk(walk, first, view);
    } catch (error) {
      await lease.abandon();
      throw error;
    }
    await lease.complete(spool.result);
    tracker.update({ phase: "writing" });
    return { spec: columnSpec(view.format, batchId, spool.keys), calls: spool.calls() };
  };
  abort.signal.addEventListener("abort", () => void (spool as Spool | null)?.remove(), { once: true });
  return {
    source: "trillet",
    cached: false,
    // Unknown until filtered.
    total: view.reason || view.q ? -1 : total,
    copy: null,
    progress: tracker,
    rows: () => renderCsv(open),
  };
}

/** The download's headers: a CSV attachment, never cached, with what the menu reads (source, total, progress id). */
function exportHeaders(fileName: string, from: Pick<ExportSource, "source" | "total" | "progress">): Headers {
  const headers = new Headers({
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": attachment(fileName),
    "cache-control": "private, no-store",
    "x-content-type-options": "nosniff",
    [EXPORT_SOURCE_HEADER]: from.source,
  });
  if (from.total >= 0) headers.set(EXPORT_TOTAL_HEADER, String(from.total));
  if (from.progress) headers.set(EXPORT_ID_HEADER, from.progress.id);
  return headers;
}

/** The audit row of an export that was understood (a valid batch and query): completed or failed, with what was asked. */
function exportAuditor(input: ExportRequest, view: ExportView, batchId: string, fileName: string, xlog: ReturnType<typeof logger>) {
  return (
    outcome: "completed" | "failed",
    from: { source: "mirror" | "trillet"; cached?: boolean },
    detail: Record<string, unknown>,
  ): Promise<unknown> =>
    recordAuditEvent(input.db, {
      actor: input.actor,
      action: outcome === "completed" ? "export.completed" : "export.failed",
      target: batchId,
      detail: {
        workspace: input.workspace.slug,
        format: view.format,
        filter: { status: view.status, reason: view.reason || null, q: view.q || null },
        bom: view.bom,
        source: from.source,
        ...(from.cached ? { cached: true } : {}),
        fileName,
        ...detail,
      },
      request: input.request ?? null,
    }).catch((error: unknown) => xlog.error({ event: "export.audit_failed", err: error }, "Export: the audit record failed"));
}

async function startExport(input: ExportRequest, scope: { detach: () => void }): Promise<Response> {
  const { db, workspace } = input;
  const id = batchIdSchema.safeParse(input.batchId);
  const parsed = parseExportView(input.params);
  // Every line of this export carries its id (also the progress id of a walking export). Passed
  // explicitly: the stream's callbacks run in whatever context pulls the stream.
  const exportId = randomUUID();
  const startedAt = Date.now();
  const xlog = logger().child({ workspace: workspace.id, batch: id.success ? id.data : input.batchId.slice(0, 100), exportId });
  const counted = (outcome: "completed" | "failed" | "cancelled" | "refused", source: string, rows: number) => {
    metrics().exports.inc({ outcome, source });
    if (outcome === "completed") metrics().exportRows.inc({ source }, rows);
  };
  if (!id.success || "error" in parsed) {
    // A refused export is an export attempt too: recorded with what was asked, capped in size.
    const error = !id.success ? (id.error.issues[0]?.message ?? "Invalid batch id.") : "error" in parsed ? parsed.error : "";
    await recordAuditEvent(db, {
      actor: input.actor,
      action: "export.failed",
      target: input.batchId.slice(0, 200),
      detail: { workspace: workspace.slug, query: input.params.toString().slice(0, 500), rows: 0, reason: error },
      request: input.request ?? null,
    }).catch((auditError: unknown) => xlog.error({ event: "export.audit_failed", err: auditError }, "Export: the audit record failed"));
    counted("refused", "none", 0);
    xlog.info({ event: "export.refused", reason: error }, "Export refused: invalid request");
    return json(400, error);
  }
  // A shutting-down instance starts nothing it would have to fail: the load balancer's next pick
  // (another instance, or this one restarted) serves the retry.
  if (isDraining()) {
    return Response.json(
      { error: "The server is restarting. Try the export again in a moment.", kind: "shutting_down" },
      { status: 503, headers: { "retry-after": "5", "cache-control": "private, no-store" } },
    );
  }
  const { view } = parsed;
  const batchId = id.data;
  const at = (input.now ?? (() => new Date()))();
  const fileName = exportFileName({ batchId, format: view.format, status: view.status, reason: view.reason, q: view.q, at });
  const audit = exportAuditor(input, view, batchId, fileName, xlog);

  // Stops a walk when the download is cancelled or its connection closes.
  const abort = new AbortController();
  const onClientAbort = () => abort.abort(new DOMException("The download was cancelled.", "AbortError"));
  input.signal?.addEventListener("abort", onClientAbort, { once: true });
  // Until it ends, the export is known to the shutdown (lib/lifecycle.ts): stopping it fails the
  // download and waits for its slot and leases to be released.
  let released: Promise<unknown> = Promise.resolve();
  let markEnded!: () => void;
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  const untrack = trackExport({
    async stop(reason) {
      abort.abort(reason);
      await ended;
      await released;
    },
  });
  const detach = () => {
    input.signal?.removeEventListener("abort", onClientAbort);
    untrack();
    markEnded();
  };
  scope.detach = detach;

  const from = await exportSource({ input, view, batchId, exportId, abort, onRelease: (p) => void (released = p) });
  if ("refused" in from) {
    const limited = from.refused.status === 429;
    if (limited) {
      detach();
      counted("refused", from.source, 0);
      xlog.info({ event: "export.refused", reason: "limit", ...from.log }, "Export refused: too many exports at once");
    } else {
      counted("failed", from.source, 0);
      xlog.warn(
        { event: "export.failed", source: from.source, rows: 0, ms: Date.now() - startedAt, err: from.error },
        "Export failed before its first row",
      );
    }
    await audit("failed", from, { rows: 0, reason: from.reason, ...from.detail });
    if (!limited) detach();
    return from.refused;
  }

  const { progress } = from;
  const label = from.cached ? "cache" : from.source;
  xlog.info(
    {
      event: "export.started",
      source: label,
      format: view.format,
      filter: { status: view.status, reason: Boolean(view.reason), q: Boolean(view.q) },
      total: from.total,
    },
    "Export started",
  );
  const body = csvStream(from.rows, {
    bom: view.bom,
    copy: from.copy,
    // Aborted by the shutdown (or a closed connection, or a download nobody reads): the stream fails.
    signal: abort.signal,
    onComplete: async (rows) => {
      progress?.end("done");
      counted("completed", label, rows);
      xlog.info({ event: "export.completed", source: label, rows, ms: Date.now() - startedAt }, "Export completed");
      await audit("completed", from, { rows });
      detach();
    },
    onError: async (error, rows) => {
      progress?.end("failed");
      counted("failed", label, rows);
      // Codes and first message lines only (errSerializer): a database error quotes its rows.
      const ours = !isTrilletError(error) && !(error instanceof DOMException) && !isShutdownError(error);
      xlog[ours ? "error" : "warn"](
        { event: "export.failed", source: label, rows, ms: Date.now() - startedAt, err: error },
        "Export failed",
      );
      await audit("failed", from, { rows, reason: reasonOf(error) });
      detach();
    },
    onCancel: async (_reason, rows) => {
      progress?.end("failed");
      onClientAbort();
      counted("cancelled", label, rows);
      xlog.info({ event: "export.cancelled", source: label, rows, ms: Date.now() - startedAt }, "Export cancelled by the download's end");
      await audit("failed", from, { rows, reason: "The download was cancelled." });
      detach();
    },
  });
  return new Response(body, { headers: exportHeaders(fileName, from) });
}

export type { ExportView };
