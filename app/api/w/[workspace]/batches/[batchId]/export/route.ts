import { z } from "zod";

import { requestInfoOf } from "@/lib/auth/request-info";
import { getDb } from "@/lib/db";
import { withRoute } from "@/lib/http/route";
import { appExportCache } from "@/lib/reports/cache";
import { runExport } from "@/lib/reports/export";

export const dynamic = "force-dynamic";

/**
 * A CSV download of a batch (report or calls to retry) with the batch page's filters; streamed,
 * complete or visibly failed. See lib/reports/export.ts.
 */
export const GET = withRoute(
  // The batch id and the query are validated by runExport, which records a refused export too (400, audited).
  { permission: "batches.export", params: z.object({ batchId: z.string({ error: "That is not a valid batch ID." }) }) },
  async ({ request, workspace, user, params }) =>
    runExport({
      db: await getDb(),
      workspace,
      actor: { id: user.id, email: user.email },
      batchId: params.batchId,
      params: new URL(request.url).searchParams,
      signal: request.signal,
      request: requestInfoOf(request),
      cache: appExportCache(),
    }),
);
