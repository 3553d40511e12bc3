import { apiWorkspace } from "@/lib/auth/guards";
import { batchIdSchema } from "@/lib/batches/batch-id";
import { getBatchInsights } from "@/lib/batches/insights";
import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";

/** Chart data of a batch (duration histogram, calls over time), from the mirror. */
export async function GET(_: Request, { params }: { params: Promise<{ workspace: string; batchId: string }> }) {
  const { workspace: slug, batchId: rawId } = await params;
  const access = await apiWorkspace(slug);
  if (access instanceof Response) return access;
  const batchId = batchIdSchema.safeParse(rawId);
  if (!batchId.success) return Response.json({ error: batchId.error.issues[0]?.message }, { status: 400 });
  const insights = await getBatchInsights(await getDb(), access.workspace.id, batchId.data);
  return Response.json(insights, { headers: { "cache-control": "private, no-store" } });
}
