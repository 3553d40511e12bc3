import { describe, expect, it, vi } from "vitest";

import { batchTabName } from "@/lib/batches/batch-tab-name";
import { renameTrackedBatch } from "@/lib/batches/tracked";

import { createAdmin, createMember, createTestWorkspace, trackBatch } from "../support/factories";
import { db, setUpDatabase } from "../support/harness";
import { signedInAs } from "../support/request";

vi.mock("@/lib/auth/guards", () => import("../support/request").then((m) => m.guards));

// The browser tab of a batch page names the batch by its label, for who may read the workspace's
// batches; anyone else (and a malformed ID) learns nothing beyond what the URL already says.

setUpDatabase();

describe(`batch tab names`, () => {
  it("gives a reader the batch's label, and the ID while it has none", async () => {
    const ws = await createTestWorkspace(db);
    await trackBatch(db, ws.id, "named");
    await renameTrackedBatch(db, ws.id, "named", "  March renewals ");
    await trackBatch(db, ws.id, "plain");
    signedInAs(await createAdmin(db));
    expect(await batchTabName(ws.slug, "named")).toEqual({ id: "named", label: "March renewals" });
    expect(await batchTabName(ws.slug, "plain")).toEqual({ id: "plain", label: "" });
  });

  it("gives someone without access to the workspace, or signed out, the ID only", async () => {
    const ws = await createTestWorkspace(db);
    await trackBatch(db, ws.id, "secret");
    await renameTrackedBatch(db, ws.id, "secret", "Board members");
    signedInAs(await createMember(db));
    expect(await batchTabName(ws.slug, "secret")).toEqual({ id: "secret", label: "" });
    signedInAs(null);
    expect(await batchTabName(ws.slug, "secret")).toEqual({ id: "secret", label: "" });
  });

  it("names no batch for a malformed ID", async () => {
    const ws = await createTestWorkspace(db);
    signedInAs(await createAdmin(db));
    expect(await batchTabName(ws.slug, "not a batch id")).toEqual({ id: null, label: "" });
  });
});
