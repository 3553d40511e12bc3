import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { migrationsApplied, openDatabase } from "@/lib/db";
import { auditEvents, exportSlots, mirrorSyncs } from "@/lib/db/schema";
import { drain, isDraining, mirrorWorkerRunning, setMirrorWorker } from "@/lib/lifecycle";
import { requestSync } from "@/lib/mirror/sync";
import { startMirrorRunners } from "@/lib/mirror/worker";
import { readiness } from "@/lib/readiness";
import { runExport } from "@/lib/reports/export";

import { createScratchDatabase, usingPostgres } from "../support/db";
import { createSandboxWorkspace } from "../support/factories";
import { db, sb, setUpDatabaseAndSandbox } from "../support/harness";

// One instance's shutdown, without the HTTP server around it (tests/integration/db-production.test.ts
// does it with two real instances): readiness turns 503 at once, the mirror worker hands its job
// back, a streaming export fails visibly and frees its slot and the sync job its walk held.

setUpDatabaseAndSandbox();

const freshWorkspace = () => createSandboxWorkspace(db, sb, { gateway: { limitPerMinute: 600 } });

describe(`Readiness and shutdown (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("knows whether the database holds every committed migration", async () => {
    expect(await migrationsApplied(db)).toBe(true);
    if (usingPostgres()) {
      const scratch = await createScratchDatabase(process.env.TEST_DATABASE_URL!, "batchboard_unmigrated");
      const bare = await openDatabase({ url: scratch.url, migrate: false });
      expect(await migrationsApplied(bare.db)).toBe(false);
      await bare.close();
      await scratch.drop();
    } else {
      const bare = await openDatabase({ migrate: false });
      expect(await migrationsApplied(bare.db)).toBe(false);
      await bare.close();
    }
  });

  it("drains: 503 with the failed checks, the sync job handed back, the export failed and its leases freed", async () => {
    const ws = await freshWorkspace();
    sb.sandbox.setLatency(30);
    sb.sandbox.addFinishedBatch("sd-sync", 3_000);
    sb.sandbox.addFinishedBatch("sd-export", 3_000);

    // Not ready until the mirror worker runs.
    expect((await readiness()).failed).toEqual(["mirrorWorker"]);
    const owners: string[] = [];
    const worker = startMirrorRunners({
      instance: "shutdown-test",
      database: async () => db,
      gatewayFor: async () => ws.gateway,
      sync: { limitPerMinute: 600 },
      slots: 1,
      pollMs: 50,
      onSlice: (event) => owners.push(event.owner),
    });
    setMirrorWorker(worker);
    expect(await readiness()).toEqual({
      ready: true,
      checks: { shutdown: "ok", database: "ok", migrations: "ok", mirrorWorker: "ok" },
      failed: [],
    });

    await requestSync(db, ws.id, "sd-sync");
    const job = async () =>
      (
        await db
          .select()
          .from(mirrorSyncs)
          .where(and(eq(mirrorSyncs.workspaceId, ws.id), eq(mirrorSyncs.batchId, "sd-sync")))
      )[0]!;
    for (let i = 0; i < 200 && !((await job()).state === "running" && (await job()).pagesDone >= 1); i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(await job()).toMatchObject({ state: "running", owner: "shutdown-test/1" });

    // A walking export of every status (it takes over the batch's sync job), mid-download.
    const response = await runExport({
      db,
      workspace: ws,
      actor: { id: null, email: "drain@example.test" },
      batchId: "sd-export",
      params: new URLSearchParams(),
    });
    expect(response.status).toBe(200);
    const body = response.text();
    // Its rejection may come while drain() is awaited below, before the assertion reads it.
    body.catch(() => {});
    expect(await db.select().from(exportSlots).where(eq(exportSlots.workspaceId, ws.id))).toHaveLength(1);

    const drained = drain(() => {});
    expect(isDraining()).toBe(true);
    expect((await readiness()).checks.shutdown).toBe("failed");
    await drained;

    await expect(body).rejects.toThrow(/server restarted/);
    expect(mirrorWorkerRunning()).toBe(false);
    expect(await readiness()).toMatchObject({ ready: false, failed: ["shutdown", "mirrorWorker"] });
    // Handed back: due now, no owner, for another instance's next claim.
    expect(await job()).toMatchObject({ state: "pending", owner: null });
    expect(await db.select().from(exportSlots).where(eq(exportSlots.workspaceId, ws.id))).toHaveLength(0);
    const exportJob = (
      await db
        .select()
        .from(mirrorSyncs)
        .where(and(eq(mirrorSyncs.workspaceId, ws.id), eq(mirrorSyncs.batchId, "sd-export")))
    )[0];
    if (exportJob) expect(exportJob.state).not.toBe("running");
    const audits = await db.select().from(auditEvents).where(eq(auditEvents.actorEmail, "drain@example.test"));
    expect(audits.map((a) => [a.action, (a.detail as { reason?: string }).reason])).toEqual([
      ["export.failed", expect.stringMatching(/server restarted/)],
    ]);

    // A new export on a draining instance is refused up front.
    const late = await runExport({
      db,
      workspace: ws,
      actor: { id: null, email: "drain@example.test" },
      batchId: "sd-export",
      params: new URLSearchParams(),
    });
    expect(late.status).toBe(503);
    expect(late.headers.get("retry-after")).toBe("5");
  });
});
