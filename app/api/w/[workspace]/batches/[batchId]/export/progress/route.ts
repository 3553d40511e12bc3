import { apiWorkspace } from "@/lib/auth/guards";
import { readExportProgress } from "@/lib/reports/progress";

export const dynamic = "force-dynamic";

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const noStore = { "cache-control": "private, no-store" };

/**
 * How far an export that walks Trillet has got (pages, calls, the workspace budget left), for the
 * user who started it: ?id= from the export response's x-export-id header. See lib/reports/progress.ts.
 */
export async function GET(request: Request, { params }: { params: Promise<{ workspace: string; batchId: string }> }) {
  const { workspace: slug, batchId } = await params;
  const access = await apiWorkspace(slug);
  if (access instanceof Response) return access;
  const id = new URL(request.url).searchParams.get("id") ?? "";
  if (!ID.test(id)) return Response.json({ error: "id must be the x-export-id of an export." }, { status: 400, headers: noStore });
  const progress = readExportProgress(id, { userId: access.user.id, workspaceId: access.workspace.id, batchId });
  if (!progress) return Response.json({ error: "No export with that id is running here." }, { status: 404, headers: noStore });
  return Response.json(progress, { headers: noStore });
}
