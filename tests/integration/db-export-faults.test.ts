import { randomUUID } from "node:crypto";

import { parse as csvParse } from "csv-parse/sync";
import { and, desc, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";

import { auditEvents, exportSlots, mirrorSyncs } from "@/lib/db/schema";
import { runExport } from "@/lib/reports/export";
import { FAULT_KINDS } from "@/lib/sandbox/faults";
import type { SandboxFaultKind, SandboxFaultRule } from "@/lib/sandbox/types";
import { createWorkspace, type Workspace } from "@/lib/workspaces";

import { usingPostgres } from "../support/db";
import { db, sb, setUpDatabaseAndSandbox } from "../support/harness";
import { TEST_KEY, TEST_WORKSPACE } from "../support/sandbox";

// An unmirrored export under every fault the sandbox can inject (a hang past the timeout, 429 on
// every request, 5xx, malformed JSON, schema drift, 401), permanent or a short burst, before the
// response starts or midway: it ends complete (every job exactly once, as the sandbox has them)
// or visibly failed (an error status or a broken stream, and export.failed in the audit log),
// never silently short, and within a bound. Whatever the end, it lets go of its slot, and a failed
// walk hands the mirror job back.

const BATCH = "demo-failing"; // 480 calls, 5 pages
/** Far above any case here (a permanent 429 gives up after 6 waits of about 1 s): a hang fails the test. */
const BOUND_MS = 45_000;

setUpDatabaseAndSandbox();
const actor = { id: null, email: "faults@example.test" };

beforeEach(() => {
  sb.sandbox.setFaults([]);
  sb.sandbox.resetStats();
});

/** A workspace of its own (no mirror yet, so the export walks), with short timeouts and few retries. */
async function freshWorkspace(): Promise<Workspace> {
  const slug = `faults-${randomUUID().slice(0, 8)}`;
  const info = await createWorkspace(db, { slug, name: slug, baseUrl: sb.url, apiKey: TEST_KEY, trilletWorkspaceId: TEST_WORKSPACE });
  return { ...info, gateway: sb.gateway({ timeoutMs: 300, maxRetries: 2, maxRateLimitWaitMs: 3_000 }) };
}

type End = { end: "complete"; rows: number } | { end: "failed"; how: "status" | "stream"; status: number };

/** Runs the export to its end, as a browser reads it: an error status, a broken stream, or a file checked against the sandbox. */
async function exportToEnd(ws: Workspace): Promise<End> {
  const response = await runExport({ db, workspace: ws, actor, batchId: BATCH, params: new URLSearchParams() });
  if (response.status !== 200) {
    const body = (await response.json()) as { error?: unknown };
    expect(body.error).toEqual(expect.any(String));
    return { end: "failed", how: "status", status: response.status };
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    return { end: "failed", how: "stream", status: 200 };
  }
  // A file that arrived whole must be complete: each job exactly once, every job there.
  const [header, ...rows] = csvParse(text) as string[][];
  const job = header!.indexOf("job_id");
  const status = header!.indexOf("status");
  const truth = new Map(sb.sandbox.truth(BATCH)!.map((c) => [c.jobId, c.status]));
  expect(new Set(rows.map((r) => r[job])).size).toBe(rows.length);
  expect(rows.length).toBe(truth.size);
  for (const row of rows) expect(truth.get(row[job]!)).toBe(row[status]);
  return { end: "complete", rows: rows.length };
}

async function lastAudit(target: string) {
  const [row] = await db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.actorEmail, actor.email), eq(auditEvents.target, target)))
    .orderBy(desc(auditEvents.id))
    .limit(1);
  return row ?? null;
}

type Shape = "permanent, from the first request" | "permanent, midway" | "burst of 2, midway";
const rulesOf = (kind: SandboxFaultKind, shape: Shape): SandboxFaultRule[] =>
  shape === "permanent, from the first request"
    ? [{ kind, rate: 1, batchId: BATCH }]
    : shape === "permanent, midway"
      ? [{ kind, rate: 1, batchId: BATCH, afterRequests: 2 }]
      : [{ kind, count: 2, batchId: BATCH, afterRequests: 2 }];

/**
 * What each case must end as, where only one end is right: a permanent fault (drift aside, which a
 * tolerant client reads through) cannot give a complete file, and a retried burst must not fail it.
 * A burst of 401s may end either way (a rejected key is not retried), but still complete or failed.
 */
function expectedEnd(kind: SandboxFaultKind, shape: Shape): "complete" | "failed" | "either" {
  if (kind === "drift") return "complete";
  if (shape !== "burst of 2, midway") return "failed";
  return kind === "401" ? "either" : "complete";
}

const SHAPES: Shape[] = ["permanent, from the first request", "permanent, midway", "burst of 2, midway"];

describe(`Exports under upstream faults (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  for (const kind of FAULT_KINDS) {
    for (const shape of SHAPES) {
      it(
        `${kind}, ${shape}: ends complete or visibly failed`,
        async () => {
          const ws = await freshWorkspace();
          sb.sandbox.setFaults(rulesOf(kind, shape));
          let timer: ReturnType<typeof setTimeout> | undefined;
          const result = await Promise.race([
            exportToEnd(ws),
            new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), BOUND_MS))),
          ]).finally(() => clearTimeout(timer));
          expect(result).not.toBe("hung");
          const end = result as End;
          const expected = expectedEnd(kind, shape);
          if (expected !== "either") expect(end.end).toBe(expected);
          if (shape === "permanent, from the first request" && end.end === "failed") expect(end.how).toBe("status");

          const audit = await lastAudit(BATCH);
          const job = (
            await db
              .select()
              .from(mirrorSyncs)
              .where(and(eq(mirrorSyncs.workspaceId, ws.id), eq(mirrorSyncs.batchId, BATCH)))
          )[0];
          if (end.end === "complete") {
            expect(audit).toMatchObject({ action: "export.completed", detail: { rows: end.rows, source: "trillet" } });
            // The walk was whole and reconciled: the mirror is frozen from it.
            expect(job).toMatchObject({ frozen: true, state: "done" });
          } else {
            expect(audit).toMatchObject({ action: "export.failed", detail: { reason: expect.any(String) } });
            // A failed walk never freezes anything; the runner gets the job back (none was taken before a first page).
            if (job) expect(job).toMatchObject({ frozen: false, state: "pending", owner: null });
          }
          await new Promise((r) => setTimeout(r, 20)); // the slot is freed as the stream ends
          expect(await db.select().from(exportSlots).where(eq(exportSlots.workspaceId, ws.id))).toEqual([]);
        },
        BOUND_MS + 15_000,
      );
    }
  }
});
