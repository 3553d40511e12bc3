import { apiWorkspace } from "@/lib/auth/guards";
import { requestInfoOf } from "@/lib/auth/request-info";
import { getDb } from "@/lib/db";
import { appExportCache } from "@/lib/reports/cache";
import { runExport } from "@/lib/reports/export";

export const dynamic = "force-dynamic";

/**
 * A CSV download of a batch (report or calls to retry) with the batch page's filters; streamed,
 * complete or visibly failed. See lib/reports/export.ts.
 */
export async function GET(request: Request, { params }: { params: Promise<{ workspace: string; batchId: string }> }) {
  const { workspace: slug, batchId: rawId } = await params;
  // The batch id and the query are validated by runExport (400, audited).
  const access = await apiWorkspace(slug);
  if (access instanceof Response) return access;
  return runExport({
    db: await getDb(),
    workspace: access.workspace,
    actor: { id: access.user.id, email: access.user.email },
    batchId: rawId,
    params: new URL(request.url).searchParams,
    signal: request.signal,
    request: requestInfoOf(request),
    cache: appExportCache(),
  });
}
