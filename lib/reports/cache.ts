import "server-only";

import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat, utimes, writeFile, type FileHandle } from "node:fs/promises";
import path from "node:path";

import { env } from "../env";
import { logger } from "../log";

// Finished exports of frozen batches, kept on disk. A frozen batch never changes, so the CSV of one
// view of it (format and filter) is the same every time: a repeat export streams the file at disk
// speed instead of reading and encoding the batch again. Least recently used files go first once
// the folder passes its size; the files hold call data, so they are readable by this user only.

/** Bumped whenever the bytes of a report change for the same data (columns, guard, CSV options). */
// 2: retry files carry Trillet's values unguarded.
const FORMAT_VERSION = 2;
const READ_CHUNK = 256 * 1024;
/** Temp files of writes that never finished (a crashed process) are removed after this. */
const STALE_TEMP_MS = 60 * 60_000;

export interface CachedView {
  workspaceId: string;
  batchId: string;
  /** When the batch was frozen: a re-mirrored batch gets new files. */
  frozenAt: number;
  format: string;
  status: string;
  reason: string;
  q: string;
}

export interface CachedExport {
  rows: number;
  bytes: number;
  /** The file's bytes in chunks of 256 KiB; the file is open already, so eviction cannot cut it short. */
  chunks(): AsyncGenerator<Uint8Array>;
  close(): Promise<void>;
}

export interface CacheEntryWriter {
  write(chunk: Uint8Array): Promise<void>;
  /** The file is complete: it becomes visible to the next export. */
  commit(rows: number): Promise<void>;
  /** The export failed or was cancelled: nothing is kept. */
  discard(): Promise<void>;
}

const hash = (text: string) => createHash("sha256").update(text).digest("hex");

export class ExportCache {
  readonly #dir: string;
  readonly #maxBytes: number;

  constructor(options: { dir: string; maxBytes: number }) {
    this.#dir = path.resolve(options.dir);
    this.#maxBytes = options.maxBytes;
  }

  #files(view: Pick<CachedView, "workspaceId" | "batchId">) {
    // One folder per workspace, each file named by batch and then by view.
    const folder = path.join(this.#dir, hash(view.workspaceId).slice(0, 32));
    return { folder, prefix: `${hash(view.batchId).slice(0, 32)}-` };
  }

  #paths(view: CachedView) {
    const { folder, prefix } = this.#files(view);
    const name = prefix + hash(JSON.stringify([FORMAT_VERSION, view.frozenAt, view.format, view.status, view.reason, view.q])).slice(0, 32);
    return { folder, csv: path.join(folder, `${name}.csv`), meta: path.join(folder, `${name}.json`) };
  }

  /** The finished file of this view, or null. */
  async open(view: CachedView): Promise<CachedExport | null> {
    const paths = this.#paths(view);
    let meta: { rows: number; bytes: number };
    let handle: FileHandle;
    try {
      meta = JSON.parse(await readFile(paths.meta, "utf8")) as { rows: number; bytes: number };
      handle = await open(paths.csv, "r");
    } catch {
      return null;
    }
    const size = (await handle.stat()).size;
    if (!Number.isInteger(meta.rows) || size !== meta.bytes) {
      await handle.close();
      return null;
    }
    const now = new Date();
    await utimes(paths.csv, now, now).catch(() => {}); // recently used: evicted last
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await handle.close();
    };
    return {
      rows: meta.rows,
      bytes: size,
      close,
      async *chunks() {
        try {
          for (let position = 0; position < size;) {
            const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - position));
            const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
            if (bytesRead === 0) throw new Error("The cached report ended early.");
            position += bytesRead;
            yield buffer.subarray(0, bytesRead);
          }
        } finally {
          await close();
        }
      },
    };
  }

  /** A writer for this view's file, or null when the folder cannot be written (then nothing is cached). */
  async writer(view: CachedView): Promise<CacheEntryWriter | null> {
    const paths = this.#paths(view);
    const temp = `${paths.csv}.${randomBytes(6).toString("hex")}.tmp`;
    let handle: FileHandle;
    try {
      await mkdir(paths.folder, { recursive: true, mode: 0o700 });
      handle = await open(temp, "w", 0o600);
    } catch (error) {
      logger().error({ event: "export.cache_failed", err: error }, "Export cache: cannot write");
      return null;
    }
    let bytes = 0;
    let done = false;
    let broken = false;
    const discard = async () => {
      if (done) return;
      done = true;
      await handle.close().catch(() => {});
      await rm(temp, { force: true });
    };
    return {
      // A copy that cannot be written (disk full) is dropped; the download itself carries on.
      async write(chunk) {
        if (done || broken) return;
        try {
          await handle.write(chunk);
          bytes += chunk.byteLength;
        } catch (error) {
          broken = true;
          logger().error({ event: "export.cache_failed", err: error }, "Export cache: cannot write");
        }
      },
      discard,
      commit: async (rows) => {
        if (broken) return discard();
        if (done) return;
        done = true;
        try {
          await handle.close();
          await rename(temp, paths.csv);
          await writeFile(paths.meta, JSON.stringify({ rows, bytes }), { mode: 0o600 });
        } catch (error) {
          logger().error({ event: "export.cache_failed", err: error }, "Export cache: cannot keep the file");
          await rm(temp, { force: true });
          return;
        }
        await this.evict();
      },
    };
  }

  /** Deletes every kept file of a workspace (it was removed: its call data must not stay on disk). */
  async forgetWorkspace(workspaceId: string): Promise<void> {
    await rm(this.#files({ workspaceId, batchId: "" }).folder, { recursive: true, force: true });
  }

  /**
   * Deletes the folders of every workspace not in this list: files another instance kept for a
   * workspace removed elsewhere. The number of folders deleted.
   */
  async keepOnlyWorkspaces(workspaceIds: readonly string[]): Promise<number> {
    const kept = new Set(workspaceIds.map((id) => path.basename(this.#files({ workspaceId: id, batchId: "" }).folder)));
    let removed = 0;
    for (const name of await readdir(this.#dir).catch(() => [] as string[])) {
      // Only this cache's own folders (32 hex digits): the folder may be shared with other files.
      if (kept.has(name) || !/^[0-9a-f]{32}$/.test(name)) continue;
      if (!(await stat(path.join(this.#dir, name)).catch(() => null))?.isDirectory()) continue;
      await rm(path.join(this.#dir, name), { recursive: true, force: true });
      removed++;
    }
    return removed;
  }

  /** Removes least recently used files until the folder fits its size, and stale temp files. */
  async evict(): Promise<void> {
    const entries: { csv: string; meta: string; size: number; used: number }[] = [];
    const folders = await readdir(this.#dir).catch(() => [] as string[]);
    for (const name of folders) {
      const folder = path.join(this.#dir, name);
      for (const file of await readdir(folder).catch(() => [] as string[])) {
        const full = path.join(folder, file);
        const info = await stat(full).catch(() => null);
        if (!info) continue;
        if (file.endsWith(".tmp")) {
          if (Date.now() - info.mtimeMs > STALE_TEMP_MS) await rm(full, { force: true });
        } else if (file.endsWith(".csv")) {
          entries.push({ csv: full, meta: full.replace(/\.csv$/, ".json"), size: info.size, used: info.mtimeMs });
        }
      }
    }
    let total = entries.reduce((sum, e) => sum + e.size, 0);
    for (const entry of entries.sort((a, b) => a.used - b.used)) {
      if (total <= this.#maxBytes) break;
      await rm(entry.meta, { force: true });
      await rm(entry.csv, { force: true });
      total -= entry.size;
    }
  }
}

const holder = globalThis as typeof globalThis & { __batchboardExportCache?: ExportCache | null };

/** The app's cache (EXPORT_CACHE_DIR, EXPORT_CACHE_MB), or null when switched off. */
export function appExportCache(): ExportCache | null {
  if (holder.__batchboardExportCache === undefined) {
    holder.__batchboardExportCache =
      env.EXPORT_CACHE_MB > 0 ? new ExportCache({ dir: env.EXPORT_CACHE_DIR, maxBytes: env.EXPORT_CACHE_MB * 1024 * 1024 }) : null;
  }
  return holder.__batchboardExportCache;
}
