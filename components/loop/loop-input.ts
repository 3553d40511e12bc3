import { z } from "zod";

import { batchIdSchema } from "@/lib/trillet/batch-id";

// The retry and cancel forms' fields, shared by the server actions and the dialogs (client-safe:
// a "use server" file may export async functions only).

export const AGENT_ID_MAX = 200;

/** Smart callback settings as the dialog asks for them; sent to Trillet as a JSON object. */
export const smartCallbackInput = z.object({
  enabled: z.boolean(),
  maxAttempts: z.number().int().min(1, { error: "Callbacks: at least 1 attempt." }).max(10, { error: "Callbacks: at most 10 attempts." }),
  intervalMinutes: z
    .number()
    .int()
    .min(5, { error: "Callbacks: at least 5 minutes apart." })
    .max(1_440, { error: "Callbacks: at most a day apart." }),
});

/** A form field holding a number, or nothing (an empty field). */
const optionalNumber = z.preprocess((v) => (typeof v === "string" && v.trim() !== "" ? Number(v) : undefined), z.number().optional());

export const retryInput = z
  .object({
    batchId: z.string({ error: "Reload the page and try again." }).pipe(batchIdSchema),
    reason: z.string().max(300).default(""),
    agentId: z
      .string({ error: "Enter the Trillet agent that makes the calls." })
      .trim()
      .min(1, { error: "Enter the Trillet agent that makes the calls." })
      .max(AGENT_ID_MAX, { error: `Keep the agent ID to ${AGENT_ID_MAX} characters.` }),
    when: z.enum(["now", "later"], { error: "Choose when the calls start." }),
    /** Epoch ms, computed in the browser from the chosen date, time and time zone. */
    scheduledAt: optionalNumber,
    callbacks: z.preprocess((v) => v === "on", z.boolean()),
    maxAttempts: optionalNumber,
    intervalMinutes: optionalNumber,
    idempotencyKey: z.string().uuid({ error: "Reload the page and try again." }),
  })
  .superRefine((value, ctx) => {
    if (value.when === "later") {
      if (value.scheduledAt === undefined || !Number.isFinite(value.scheduledAt)) {
        ctx.addIssue({ code: "custom", path: ["scheduledAt"], message: "Choose the date and time the calls start." });
      } else if (value.scheduledAt < Date.now() - 60_000) {
        ctx.addIssue({ code: "custom", path: ["scheduledAt"], message: "That time has passed: choose a later one, or start now." });
      } else if (value.scheduledAt > Date.now() + 90 * 86_400_000) {
        ctx.addIssue({ code: "custom", path: ["scheduledAt"], message: "Choose a time within the next 90 days." });
      }
    }
    if (value.callbacks) {
      const parsed = smartCallbackInput.safeParse({
        enabled: true,
        maxAttempts: value.maxAttempts,
        intervalMinutes: value.intervalMinutes,
      });
      if (!parsed.success)
        ctx.addIssue({ code: "custom", path: ["maxAttempts"], message: parsed.error.issues[0]?.message ?? "Check the callback settings." });
    }
  });

export type RetryInput = z.output<typeof retryInput>;

export const previewInput = z.object({
  batchId: z.string({ error: "Reload the page and try again." }).pipe(batchIdSchema),
  reason: z.string().max(300).default(""),
});

export const cancelInput = z.object({
  batchId: z.string({ error: "Reload the page and try again." }).pipe(batchIdSchema),
  waiting: z.coerce.number().int().min(0).max(10_000_000).optional(),
});

/** What the retry dialog shows before anything is sent. */
export interface RetryPreviewData {
  count: number;
  excluded: number;
  reasonLabel: string | null;
  /** Header then up to five rows, exactly as they will be sent. */
  columns: string[];
  sample: string[][];
  /** A retry of the same calls started recently: shown so nobody starts it twice by accident. */
  recent: { childBatchId: string | null; state: string; at: string } | null;
}

export type RetryOutcome =
  { state: "created"; childBatchId: string; href: string; rows: number; excluded: number } | { state: "unknown"; message: string };
