import { z } from "zod";

import { getBatchPage } from "@/lib/batches/batch-page";
import { batchViewSchema } from "@/lib/batches/search-params";
import { getDb } from "@/lib/db";
import { withRoute } from "@/lib/http/route";
import { batchIdSchema } from "@/lib/trillet/batch-id";

export const dynamic = "force-dynamic";

/** The batch page's data (summary and one page of calls, from one read) as JSON, for live refresh. */
export const GET = withRoute(
  {
    permission: "batches.read",
    params: z.object({ batchId: batchIdSchema }),
    // A malformed view falls back to its defaults, as the page does.
    query: batchViewSchema,
  },
  async ({ workspace, user, params, query: view }) => {
    const data = await getBatchPage(await getDb(), workspace, params.batchId, view, user.id);
    return Response.json({ view, ...data });
  },
);
