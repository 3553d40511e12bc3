import { z } from "zod";

import { DEFAULT_BASE_URL } from "@/components/settings/workspace-defaults";
import { env } from "@/lib/env";
import { checkOutboundUrl } from "@/lib/security/outbound-url";
import { WORKSPACE_SLUG } from "@/lib/workspace-slug";

// The workspace form's fields. Messages never echo what was typed: two of the fields are secrets.

const name = z
  .string({ error: "Enter a name." })
  .trim()
  .min(1, { error: "Enter a name." })
  .max(80, { error: "Keep the name to 80 characters." });

const slug = z.string({ error: "Enter a slug." }).trim().toLowerCase().regex(WORKSPACE_SLUG, {
  error: "The slug is 1 to 40 lowercase letters, digits and dashes, starting with a letter or digit.",
});

const baseUrl = z
  .string({ error: "Enter the base URL." })
  .trim()
  .transform((v) => v || DEFAULT_BASE_URL)
  .pipe(z.url({ protocol: /^https?$/, error: "Enter the base URL as https://host, like https://api.trillet.ai." }))
  // https only, no private or local host unless ALLOW_PRIVATE_URLS (lib/security/outbound-url.ts).
  .superRefine((v, ctx) => {
    const verdict = checkOutboundUrl(v, { allowPrivate: env.ALLOW_PRIVATE_URLS });
    if (!verdict.ok) ctx.addIssue({ code: "custom", message: verdict.message });
  })
  .transform((v) => v.replace(/\/+$/, ""));

const secret = (label: string, min: number) =>
  z
    .string({ error: `Enter the ${label}.` })
    .trim()
    .min(min, { error: min > 1 ? `That ${label} is too short.` : `Enter the ${label}.` })
    .max(500, { error: `That ${label} is too long.` })
    .regex(/^\S+$/, { error: `The ${label} can't contain spaces.` });

const apiKey = secret("API key", 8);
const trilletWorkspaceId = secret("Trillet workspace ID", 1);

// On edit a blank secret means "keep the stored one".
const blankToUndefined = (v: unknown) => (v === null || (typeof v === "string" && v.trim() === "") ? undefined : v);

// The Trillet agent retry batches start with unless the dialog says otherwise; empty: none.
const defaultAgentId = z.preprocess(
  (v) => (v === null || v === undefined ? "" : v),
  z
    .string()
    .trim()
    .max(200, { error: "Keep the agent ID to 200 characters." })
    .transform((v) => v || null),
);

export const createWorkspaceInput = z.object({ name, slug, baseUrl, trilletWorkspaceId, apiKey, defaultAgentId });

export const updateWorkspaceInput = z.object({
  workspaceId: z.uuid({ error: "That workspace no longer exists. Reload the page." }),
  name,
  slug,
  baseUrl,
  trilletWorkspaceId: z.preprocess(blankToUndefined, trilletWorkspaceId.optional()),
  apiKey: z.preprocess(blankToUndefined, apiKey.optional()),
  defaultAgentId,
});

export const workspaceIdInput = z.object({
  workspaceId: z.uuid({ error: "That workspace no longer exists. Reload the page." }),
});

/** Postgres' unique_violation (23505), found through Drizzle's wrapping of the driver error. */
export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === "23505";
}

export function sqlState(error: unknown): string | null {
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return null;
}
