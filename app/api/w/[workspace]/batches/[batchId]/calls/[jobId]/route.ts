import { z } from "zod";
import { apiWorkspace } from "@/lib/auth/guards";
import { batchIdSchema } from "@/lib/batches/batch-id";
import { getMirroredCall } from "@/lib/batches/call-detail";
import { getMirrorStatus } from "@/lib/batches/mirror-status";
import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";

const jobIdSchema = z.string().trim().min(1, "Give a job ID.").max(200, "That job ID is too long.");
const headers = { "cache-control": "private, no-store" };

/** One call of a batch, from Batchboard's copy only: opening a call never spends Trillet budget. */
export async function GET(
  _request: Request,
  { params }: { params: Promise<{ workspace: string; batchId: string; jobId: string }> },
) {
  const { workspace: slug, batchId: rawBatchId, jobId: rawJobId } = await params;
  const access = await apiWorkspace(slug);
  if (access instanceof Response) return access;
  const batchId = batchIdSchema.safeParse(decode(rawBatchId));
  if (!batchId.success) return Response.json({ error: batchId.error.issues[0]?.message }, { status: 400, headers });
  const jobId = jobIdSchema.safeParse(decode(rawJobId));
  if (!jobId.success) return Response.json({ error: jobId.error.issues[0]?.message }, { status: 400, headers });

  const db = await getDb();
  const call = await getMirroredCall(db, access.workspace.id, batchId.data, jobId.data);
  if (!call) {
    // Says which: a batch still being copied is worth a retry, a wrong job ID is not.
    const copied = Boolean((await getMirrorStatus(db, access.workspace.id, batchId.data))?.lastSuccessAt);
    return Response.json(
      copied
        ? { error: "This batch has no call with that job ID.", reason: "not_found" }
        : { error: "This batch is not copied into Batchboard yet, so its calls cannot be opened one by one.", reason: "not_copied" },
      { status: 404, headers },
    );
  }
  const { jobId: id, status, phoneNumber, startTime, endTime, durationSec, error, metadata } = call;
  return Response.json({ call: { jobId: id, status, phoneNumber, startTime, endTime, durationSec, error, metadata } }, { headers });
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
