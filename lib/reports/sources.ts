import "server-only";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { once } from "node:events";
import { countMirrorCalls, mirrorCallsAfter, mirrorMetadataKeys, NO_REASON } from "../batches/mirror-queries";
import { searchText } from "../batches/mirror-store";
import { reasonKey } from "../batches/reasons";
import type { Database } from "../db";
import type { TrilletCall } from "../trillet/schemas";
import type { WalkResult } from "../trillet/walker";
import { KeyUnion } from "./metadata";

export interface ExportFilter {
  status: "all" | "waiting" | "active" | "completed" | "failed";
  reason: string;
  q: string;
}

/** Rows per query when reading a frozen batch from the mirror. */
export const MIRROR_CHUNK = 5_000;
/** Calls per chunk handed to the writer when reading a spooled walk back. */
const SPOOL_CHUNK = 1_000;

// --- A frozen batch, from the database (zero upstream requests) ----------------------------------

export async function mirrorExport(db: Database, workspaceId: string, batchId: string, filter: ExportFilter) {
  const query = { status: filter.status, reason: filter.reason || null, q: filter.q || null };
  const [keys, total] = await Promise.all([
    mirrorMetadataKeys(db, workspaceId, batchId),
    countMirrorCalls(db, workspaceId, batchId, query),
  ]);
  const read = (after: number) => mirrorCallsAfter(db, workspaceId, batchId, query, after, MIRROR_CHUNK);
  async function* calls(): AsyncGenerator<TrilletCall[]> {
    // One chunk read ahead: the database works on the next rows while the writer encodes these.
    let next = read(-1);
    for (;;) {
      const chunk = await next;
      const more = chunk.lastRowNo !== null && chunk.calls.length === MIRROR_CHUNK;
      if (more) next = read(chunk.lastRowNo!);
      if (chunk.calls.length) yield chunk.calls;
      if (!more) return;
    }
  }
  return { keys, total, calls: calls() };
}

// --- Any other batch, from a walk through the gateway, spooled to a temp file --------------------

/** The reason and search filters of a view, applied to walked rows as the mirror applies them. */
export function matchesFilter(call: TrilletCall, filter: Pick<ExportFilter, "reason" | "q">): boolean {
  if (filter.reason) {
    const key = reasonKey(call.error);
    if (filter.reason === NO_REASON ? key !== null && key !== NO_REASON : key !== filter.reason) return false;
  }
  const q = filter.q.trim().toLowerCase();
  return !q || searchText(call).includes(q);
}

export interface Spool {
  keys: string[];
  rows: number;
  calls(): AsyncGenerator<TrilletCall[]>;
  remove(): Promise<void>;
}

/**
 * Runs a walk to its end, writing each (filtered) call as one NDJSON line to a temp file and
 * collecting the metadata keys; memory holds one page. A walk that fails throws here, before any
 * row is written out, and the file is removed.
 */
export async function spoolWalk(
  walk: AsyncIterator<TrilletCall[], WalkResult>,
  first: TrilletCall[],
  filter: Pick<ExportFilter, "reason" | "q">,
): Promise<Spool> {
  const dir = await mkdtemp(path.join(tmpdir(), "batchboard-export-"));
  const file = path.join(dir, "calls.ndjson");
  const remove = () => rm(dir, { recursive: true, force: true });
  const union = new KeyUnion();
  let rows = 0;
  const out = createWriteStream(file, { encoding: "utf8" });
  const closed = once(out, "close");
  closed.catch(() => {});
  try {
    const write = async (calls: TrilletCall[]) => {
      let text = "";
      for (const call of calls) {
        if (!matchesFilter(call, filter)) continue;
        union.add(call.metadata);
        text += `${JSON.stringify(call)}\n`;
        rows++;
      }
      if (text && !out.write(text)) await once(out, "drain");
    };
    await write(first);
    for (let step = await walk.next(); !step.done; step = await walk.next()) await write(step.value);
    out.end();
    await closed;
  } catch (error) {
    out.destroy();
    await remove();
    throw error;
  }
  return {
    keys: union.keys,
    rows,
    remove,
    async *calls() {
      const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
      try {
        let chunk: TrilletCall[] = [];
        for await (const line of lines) {
          if (!line) continue;
          chunk.push(JSON.parse(line) as TrilletCall);
          if (chunk.length >= SPOOL_CHUNK) {
            yield chunk;
            chunk = [];
          }
        }
        if (chunk.length) yield chunk;
      } finally {
        lines.close();
        await remove();
      }
    },
  };
}
