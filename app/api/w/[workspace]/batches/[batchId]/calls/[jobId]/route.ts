import { z } from "zod";

import { getMirroredCall } from "@/lib/batches/call-detail";
import { ensureTracked } from "@/lib/batches/first-open";
import { getDb } from "@/lib/db";
import { withRoute } from "@/lib/http/route";
import { getMirrorStatus } from "@/lib/mirror/status";
import { requestSync } from "@/lib/mirror/sync";
import { batchIdSchema } from "@/lib/trillet/batch-id";
import type { TrilletCall } from "@/lib/trillet/schemas";

export const dynamic = "force-dynamic";

const jobIdSchema = z.string().trim().min(1, "Give a job ID.").max(200, "That job ID is too long.");
const found = (call: TrilletCall) => {
  const { jobId, status, phoneNumber, startTime, endTime, durationSec, error, metadata } = call;
  return Response.json({ call: { jobId, status, phoneNumber, startTime, endTime, durationSec, error, metadata } });
};

/**
 * One call of a batch, from Batchboard's copy. A link to a batch nobody opened yet checks Trillet
 * once (a 404 there is the only "batch not found"), tracks the batch and starts its copy; the call
 * is answered from that read when it holds it, otherwise "not copied yet" until the copy has it.
 */
export const GET = withRoute(
  {
    permission: "batches.read",
    params: z.object({
      batchId: z.string({ error: "That is not a valid batch ID." }).pipe(batchIdSchema),
      jobId: z.string({ error: "That is not a valid job ID." }).pipe(jobIdSchema),
    }),
  },
  async ({ workspace, user, params }) => {
    const { batchId, jobId } = params;
    const db = await getDb();
    const call = await getMirroredCall(db, workspace.id, batchId, jobId);
    if (call) return found(call);
    let mirror = await getMirrorStatus(db, workspace.id, batchId);
    if (mirror?.lastSuccessAt) {
      return Response.json({ error: "This batch has no call with that job ID.", reason: "not_found" }, { status: 404 });
    }
    // A Trillet failure here (its 404 is the only "batch not found") is answered by withRoute.
    const read = await ensureTracked(db, workspace, batchId, user.id);
    const onPage = read?.calls.find((c) => c.jobId === jobId);
    if (onPage) return found(onPage);
    // Tracked but never copied (tracked before copying existed, or its copy was dropped): start it.
    if (!read && !mirror) await requestSync(db, workspace.id, batchId);
    mirror ??= await getMirrorStatus(db, workspace.id, batchId);
    // Says which: a batch still being copied is worth waiting for, a wrong job ID is not.
    return Response.json(
      {
        error: "Batchboard is copying this batch; its calls open one by one once the copy has them.",
        reason: "not_copied",
        progress: { pagesDone: mirror?.pagesDone ?? 0, totalPages: mirror?.totalPages ?? 0 },
      },
      { status: 404 },
    );
  },
);
