import { apiWorkspace } from "@/lib/auth/guards";
import { upstreamErrorResponse } from "@/lib/batches/api-errors";
import { batchIdSchema } from "@/lib/batches/batch-id";
import { getBatchPage } from "@/lib/batches/batch-page";
import { parseBatchView } from "@/lib/batches/search-params";
import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";

/** The batch page's data (summary and one page of calls, from one read) as JSON, for live refresh. */
export async function GET(request: Request, { params }: { params: Promise<{ workspace: string; batchId: string }> }) {
  const { workspace: slug, batchId: rawId } = await params;
  const access = await apiWorkspace(slug);
  if (access instanceof Response) return access;
  const batchId = batchIdSchema.safeParse(rawId);
  if (!batchId.success) return Response.json({ error: batchId.error.issues[0]?.message }, { status: 400 });
  const view = parseBatchView(Object.fromEntries(new URL(request.url).searchParams));
  try {
    const data = await getBatchPage(await getDb(), access.workspace, batchId.data, view, access.user.id);
    return Response.json({ view, ...data }, { headers: { "cache-control": "private, no-store" } });
  } catch (error) {
    return upstreamErrorResponse(error);
  }
}
