import { apiWorkspace } from "@/lib/auth/guards";
import { requestInfoOf } from "@/lib/auth/request-info";
import { batchIdSchema } from "@/lib/batches/batch-id";
import { getDb } from "@/lib/db";
import { runExport } from "@/lib/reports/export";

export const dynamic = "force-dynamic";

/**
 * A CSV download of a batch (report or calls to retry) with the batch page's filters; streamed,
 * complete or visibly failed. See lib/reports/export.ts.
 */
export async function GET(request: Request, { params }: { params: Promise<{ workspace: string; batchId: string }> }) {
  const { workspace: slug, batchId: rawId } = await params;
  const access = await apiWorkspace(slug);
  if (access instanceof Response) return access;
  const batchId = batchIdSchema.safeParse(rawId);
  if (!batchId.success) return Response.json({ error: batchId.error.issues[0]?.message ?? "Invalid batch id." }, { status: 400 });
  return runExport({
    db: await getDb(),
    workspace: access.workspace,
    actor: { id: access.user.id, email: access.user.email },
    batchId: batchId.data,
    params: new URL(request.url).searchParams,
    signal: request.signal,
    request: requestInfoOf(request),
  });
}
