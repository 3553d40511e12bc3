import "server-only";

import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";

import { reasonKey } from "../batches/reasons";
import { runsOnThisThread, type Database } from "../db";
import { countMirrorCalls, lastMirrorRowNo, matchingRowNos, mirrorCallsInRange, mirrorMetadataKeys, NO_REASON } from "../mirror/queries";
import { searchText } from "../mirror/store";
import { KeyUnion } from "../trillet/metadata-keys";
import type { TrilletCall } from "../trillet/schemas";
import type { WalkResult } from "../trillet/walker";

export interface ExportFilter {
  status: "all" | "waiting" | "active" | "completed" | "failed";
  reason: string;
  q: string;
}

/** Row numbers per query when reading a frozen batch from the mirror (that many calls, unfiltered). */
export const MIRROR_CHUNK = 2_000;
/**
 * Chunks read at once. On PostgreSQL the server works on the next while this thread writes CSV
 * (measured: 51,000 -> 85,000 rows/s at 2). PGlite runs its queries on this thread: a second
 * chunk in flight only holds more memory (measured: 65,000 -> 42,000 rows/s at 2).
 */
const readAhead = (db: Database) => (runsOnThisThread(db) ? 1 : 2);
/** Calls per chunk handed to the writer when reading a spooled walk back. */
const SPOOL_CHUNK = 1_000;

// --- A frozen batch, from the database (zero upstream requests) ----------------------------------

/** Ranges of row numbers, [from, to), that together hold every row number in `rowNos` (ascending, distinct). */
function rangesOver(rowNos: number[], size: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (let i = 0; i < rowNos.length; i += size) {
    ranges.push([rowNos[i]!, i + size < rowNos.length ? rowNos[i + size]! : rowNos.at(-1)! + 1]);
  }
  return ranges;
}

export async function mirrorExport(db: Database, workspaceId: string, batchId: string, filter: ExportFilter, chunkSize = MIRROR_CHUNK) {
  const query = { status: filter.status, reason: filter.reason || null, q: filter.q || null };
  // A search or a reason picks rows anywhere in the batch: their row numbers come first, so each
  // range holds up to a chunk of them. Otherwise the batch's row numbers are split evenly (row
  // numbers are dense: the position each call was first seen at).
  const searched = Boolean(query.reason || query.q);
  const [keys, total, ranges] = await Promise.all([
    mirrorMetadataKeys(db, workspaceId, batchId),
    countMirrorCalls(db, workspaceId, batchId, query),
    searched
      ? matchingRowNos(db, workspaceId, batchId, query).then((rowNos) => rangesOver(rowNos, chunkSize))
      : lastMirrorRowNo(db, workspaceId, batchId).then((last) =>
          Array.from({ length: last === null ? 0 : Math.floor(last / chunkSize) + 1 }, (_, k): [number, number] => [
            k * chunkSize,
            (k + 1) * chunkSize,
          ]),
        ),
  ]);
  async function* calls(): AsyncGenerator<TrilletCall[]> {
    const ahead: Promise<TrilletCall[]>[] = [];
    const depth = readAhead(db);
    let next = 0;
    const fill = () => {
      for (; ahead.length < depth && next < ranges.length; next++) {
        const [from, to] = ranges[next]!;
        ahead.push(mirrorCallsInRange(db, workspaceId, batchId, query, from, to));
      }
    };
    try {
      fill();
      while (ahead.length) {
        const chunk = await ahead.shift()!;
        fill();
        if (chunk.length) yield chunk;
      }
    } finally {
      for (const pending of ahead) pending.catch(() => {}); // a cancelled export leaves reads behind
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
  /** What the walk ended with (Trillet's summary, reconciled). */
  result: WalkResult;
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
  /** The walk's first step, already taken (it may be its end: an empty batch). */
  first: IteratorResult<TrilletCall[], WalkResult>,
  filter: Pick<ExportFilter, "reason" | "q">,
): Promise<Spool> {
  const dir = await mkdtemp(path.join(tmpdir(), "batchboard-export-"));
  const file = path.join(dir, "calls.ndjson");
  const remove = () => rm(dir, { recursive: true, force: true });
  const union = new KeyUnion();
  let rows = 0;
  let result: WalkResult;
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
    let step = first;
    for (; !step.done; step = await walk.next()) await write(step.value);
    result = step.value;
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
    result,
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
