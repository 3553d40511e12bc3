import { z } from "zod";

import { batchIdSchema } from "@/lib/trillet/batch-id";

// The rename and remove forms' fields, shared by the server actions and the dialogs. Lives outside
// the "use server" file, which may export async functions only.

export const LABEL_MAX_LENGTH = 120;

const batchId = z.string({ error: "That batch is no longer in the list. Reload the page." }).pipe(batchIdSchema);

export const renameBatchInput = z.object({
  batchId,
  // Empty clears the label: the list then shows the batch ID alone.
  label: z
    .string({ error: "Enter a label, or leave it empty to clear it." })
    .transform((v) => v.replace(/\s+/g, " ").trim())
    .pipe(z.string().max(LABEL_MAX_LENGTH, { error: `Keep the label to ${LABEL_MAX_LENGTH} characters.` })),
});

export const removeBatchInput = z.object({ batchId });
