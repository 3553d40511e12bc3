import "server-only";

import { currentUser, visibleWorkspace } from "../auth/guards";
import { can } from "../auth/permissions";
import { getDb } from "../db";
import { decodeSegment } from "../http/segments";
import { batchIdSchema } from "../trillet/batch-id";
import { findTrackedBatch } from "./tracked";

/**
 * How a batch's browser tab names it: its label when someone named it, else its ID (null for a
 * malformed one). The label is shown only to who may read the workspace's batches (the page itself
 * checks again and answers 404 or 403); anyone else gets the ID.
 */
export async function batchTabName(slug: string, rawId: string): Promise<{ id: string | null; label: string }> {
  const id = batchIdSchema.safeParse(decodeSegment(rawId, "page"));
  if (!id.success) return { id: null, label: "" };
  const user = await currentUser();
  const workspace = user ? await visibleWorkspace(user, slug) : null;
  if (!user || !workspace || !can(user, "batches.read", workspace.grants)) return { id: id.data, label: "" };
  const label = (await findTrackedBatch(await getDb(), workspace.id, id.data))?.label.trim() ?? "";
  return { id: id.data, label };
}
