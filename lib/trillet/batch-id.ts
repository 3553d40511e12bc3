import { z } from "zod";

/** Batch ids are opaque to us, but only this alphabet ever reaches a URL path. Shared with the browser. */
export const batchIdSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, "A batch ID is letters, digits, '-' or '_' (at most 128).");
