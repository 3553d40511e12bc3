import { z } from "zod";

import { jsonError, withRoute } from "@/lib/http/route";
import { readExportProgress } from "@/lib/reports/progress";
import { batchIdSchema } from "@/lib/trillet/batch-id";

export const dynamic = "force-dynamic";

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NOT_AN_ID = "id must be the x-export-id of an export.";

/**
 * How far an export that walks Trillet has got (pages, calls, the workspace budget left), for the
 * user who started it: ?id= from the export response's x-export-id header. See lib/reports/progress.ts.
 */
export const GET = withRoute(
  {
    permission: "batches.export",
    params: z.object({ batchId: batchIdSchema }),
    query: z.object({ id: z.string({ error: NOT_AN_ID }).regex(ID, NOT_AN_ID) }),
  },
  async ({ workspace, user, params, query }) => {
    const progress = readExportProgress(query.id, { userId: user.id, workspaceId: workspace.id, batchId: params.batchId });
    if (!progress) return jsonError(404, "No export with that id is running here.");
    return Response.json(progress);
  },
);
