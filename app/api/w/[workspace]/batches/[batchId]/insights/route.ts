import { z } from "zod";

import { getBatchInsights } from "@/lib/batches/insights";
import { getDb } from "@/lib/db";
import { withRoute } from "@/lib/http/route";
import { batchIdSchema } from "@/lib/trillet/batch-id";

export const dynamic = "force-dynamic";

/** Chart data of a batch (duration histogram, calls over time), from the mirror. */
export const GET = withRoute({ permission: "batches.read", params: z.object({ batchId: batchIdSchema }) }, async ({ workspace, params }) =>
  Response.json(await getBatchInsights(await getDb(), workspace.id, params.batchId)),
);
