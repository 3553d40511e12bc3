import "server-only";
import { recordAudit, type Actor, type RequestInfo } from "../audit";
import { upstreamErrorResponse } from "../batches/api-errors";
import { getMirrorStatus } from "../batches/mirror-status";
import { parseExportView, type ExportView } from "../batches/search-params";
import type { Database } from "../db";
import { isTrilletError } from "../trillet/errors";
import { walkBatch } from "../trillet/walker";
import type { Workspace } from "../workspaces";
import { columnSpec } from "./columns";
import { attachment, exportFileName } from "./filename";
import { mirrorExport, spoolWalk, type Spool } from "./sources";
import { csvStream, type CsvSource } from "./writer";

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
}

/** Header names the browser's export menu reads (exposed to same-origin fetch anyway). */
export const EXPORT_TOTAL_HEADER = "x-export-total";
export const EXPORT_SOURCE_HEADER = "x-export-source";

const json = (status: number, error: string) => Response.json({ error }, { status, headers: { "cache-control": "private, no-store" } });

/** A failure's words for the audit log and the user: ours or Trillet's typed message, never a stack. */
function reasonOf(error: unknown): string {
  if (isTrilletError(error)) return error.message;
  if (error instanceof DOMException && error.name === "AbortError") return "The download was cancelled.";
  return "The export failed on the server.";
}

export async function runExport(input: ExportRequest): Promise<Response> {
  const parsed = parseExportView(input.params);
  if ("error" in parsed) return json(400, parsed.error);
  const { view } = parsed;
  const { db, workspace, batchId } = input;
  const at = (input.now ?? (() => new Date()))();
  const fileName = exportFileName({ batchId, format: view.format, status: view.status, reason: view.reason, q: view.q, at });

  let source: "mirror" | "trillet" = "trillet";
  const audit = (outcome: "completed" | "failed", detail: Record<string, unknown>) =>
    recordAudit(db, {
      actor: input.actor,
      action: outcome === "completed" ? "export.completed" : "export.failed",
      target: batchId,
      detail: {
        workspace: workspace.slug,
        format: view.format,
        filter: { status: view.status, reason: view.reason || null, q: view.q || null },
        bom: view.bom,
        source,
        fileName,
        ...detail,
      },
      request: input.request ?? null,
    }).catch((error: unknown) => console.error("export: audit record failed", error));

  // Stops a walk when the download is cancelled or its connection closes.
  const abort = new AbortController();
  const onClientAbort = () => abort.abort(new DOMException("The download was cancelled.", "AbortError"));
  input.signal?.addEventListener("abort", onClientAbort, { once: true });
  const detach = () => input.signal?.removeEventListener("abort", onClientAbort);

  let open: () => Promise<CsvSource>;
  let total: number;
  const mirror = await getMirrorStatus(db, workspace.id, batchId);
  if (mirror?.frozen && mirror.lastSuccessAt) {
    source = "mirror";
    const data = await mirrorExport(db, workspace.id, batchId, view);
    total = data.total;
    open = async () => ({ spec: columnSpec(view.format, batchId, data.keys), calls: data.calls });
  } else {
    // The walk's first page answers before the response starts, so an unknown batch or an
    // unreachable Trillet is a plain JSON error; anything later fails the stream itself.
    const walk = walkBatch(workspace.gateway, batchId, {
      status: view.status,
      priority: "bulk",
      signal: abort.signal,
      onProgress: (p) => (total = Math.max(total, p.expected)),
    });
    total = 0;
    let first: Awaited<ReturnType<typeof walk.next>>;
    try {
      first = await walk.next();
    } catch (error) {
      detach();
      await audit("failed", { rows: 0, reason: reasonOf(error) });
      return upstreamErrorResponse(error);
    }
    let spool: Spool | null = null;
    open = async () => {
      spool = await spoolWalk(walk, first.done ? [] : first.value, view);
      return { spec: columnSpec(view.format, batchId, spool.keys), calls: spool.calls() };
    };
    abort.signal.addEventListener("abort", () => void (spool as Spool | null)?.remove(), { once: true });
    if (view.reason || view.q) total = -1; // unknown until filtered
  }

  const body = csvStream(open, {
    bom: view.bom,
    onComplete: async (rows) => {
      detach();
      await audit("completed", { rows });
    },
    onError: async (error, rows) => {
      detach();
      if (!isTrilletError(error) && !(error instanceof DOMException)) console.error("export failed", error);
      await audit("failed", { rows, reason: reasonOf(error) });
    },
    onCancel: async (_reason, rows) => {
      detach();
      onClientAbort();
      await audit("failed", { rows, reason: "The download was cancelled." });
    },
  });

  const headers = new Headers({
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": attachment(fileName),
    "cache-control": "private, no-store",
    "x-content-type-options": "nosniff",
    [EXPORT_SOURCE_HEADER]: source,
  });
  if (total >= 0) headers.set(EXPORT_TOTAL_HEADER, String(total));
  return new Response(body, { headers });
}

export type { ExportView };
