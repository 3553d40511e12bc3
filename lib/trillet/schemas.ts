import "server-only";

import { z } from "zod";

// Zod schemas of trillet-api.md. Strict where the contract is firm (ids, counts), lenient where it
// says "tolerate": unknown fields pass through, optional fields may be null or absent, statuses
// are any string, timestamps are accepted in ms, seconds or ISO form and normalised to ms.

export const CALL_STATUS_FILTERS = ["all", "waiting", "active", "completed", "failed"] as const;
export type CallStatusFilter = (typeof CALL_STATUS_FILTERS)[number];

export const MAX_PAGE_SIZE = 100;

const count = z.number().int().nonnegative();

const timestamp = z
  .union([z.number(), z.string()])
  .nullish()
  .transform((v): number | null => {
    if (v === null || v === undefined || v === "") return null;
    const n = typeof v === "number" ? v : /^\d+(\.\d+)?$/.test(v) ? Number(v) : Date.parse(v);
    if (!Number.isFinite(n)) return null;
    // Epoch seconds (10 digits) slip through some APIs; the contract promises milliseconds.
    return n < 1e11 ? Math.round(n * 1000) : Math.round(n);
  });

const seconds = z
  .union([z.number(), z.string()])
  .nullish()
  .transform((v): number | null => {
    if (v === null || v === undefined || v === "") return null;
    const n = Number(v);
    return Number.isFinite(n) && n >= 0 ? n : null;
  });

const metadata = z
  .record(z.string(), z.unknown())
  .nullish()
  .transform((m): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(m ?? {})) {
      if (v === null || v === undefined) continue;
      out[k] = typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
    }
    return out;
  });

export const callSchema = z
  .looseObject({
    jobId: z.string().min(1),
    status: z.string().min(1),
    phone_number: z.union([z.string(), z.number()]).transform(String),
    startTime: timestamp,
    endTime: timestamp,
    duration: seconds,
    error: z.string().nullish(),
    metadata,
  })
  .transform((c) => ({
    jobId: c.jobId,
    status: c.status,
    phoneNumber: c.phone_number,
    startTime: c.startTime,
    endTime: c.endTime,
    durationSec: c.duration,
    error: c.error ?? null,
    metadata: c.metadata,
  }));

export type TrilletCall = z.output<typeof callSchema>;

export const summarySchema = z.looseObject({
  total: count,
  waiting: count.default(0),
  active: count.default(0),
  completed: count.default(0),
  failed: count.default(0),
});

export type BatchSummary = Pick<z.output<typeof summarySchema>, "total" | "waiting" | "active" | "completed" | "failed">;

const paginationSchema = z.looseObject({
  page: count,
  limit: count,
  total: count,
  totalPages: count.optional(),
  hasNext: z.boolean().optional(),
  hasPrev: z.boolean().optional(),
});

export const callsPageSchema = z
  .looseObject({
    calls: z.array(callSchema),
    pagination: paginationSchema,
    summary: summarySchema,
  })
  .transform(({ calls, pagination: p, summary: s }) => {
    const totalPages = p.totalPages ?? (p.limit > 0 ? Math.ceil(p.total / p.limit) : 0);
    return {
      calls,
      pagination: {
        page: p.page,
        limit: p.limit,
        total: p.total,
        totalPages,
        hasNext: p.hasNext ?? p.page < totalPages,
        hasPrev: p.hasPrev ?? p.page > 1,
      },
      summary: {
        total: s.total,
        waiting: s.waiting,
        active: s.active,
        completed: s.completed,
        failed: s.failed,
      } satisfies BatchSummary,
    };
  });

export type CallsPage = z.output<typeof callsPageSchema>;

const recentCallSchema = z.looseObject({
  jobId: z.string(),
  status: z.string(),
  phone_number: z.union([z.string(), z.number()]).transform(String).optional(),
  completedAt: timestamp,
  failedAt: timestamp,
  duration: seconds,
  error: z.string().nullish(),
});

const progressFields = {
  waiting: count.default(0),
  active: count.default(0),
  completed: count.default(0),
  failed: count.default(0),
  total: count.optional(),
  startTime: timestamp,
  lastCompletedTime: timestamp,
  completedTime: timestamp,
  averageCallDuration: seconds,
  recent_calls: z.array(recentCallSchema).nullish(),
};

export const batchStatusSchema = z
  .looseObject({
    id: z.string().optional(),
    status: z.string().min(1),
    isComplete: z.boolean().optional(),
    totalCalls: count.optional(),
    progress: z.looseObject(progressFields),
    timestamp: timestamp,
  })
  .transform((b) => {
    const p = b.progress;
    const total = b.totalCalls ?? p.total ?? p.waiting + p.active + p.completed + p.failed;
    return {
      id: b.id ?? null,
      status: b.status,
      isComplete: b.isComplete ?? (p.waiting === 0 && p.active === 0),
      summary: { total, waiting: p.waiting, active: p.active, completed: p.completed, failed: p.failed },
      startTime: p.startTime,
      lastCompletedTime: p.lastCompletedTime,
      completedTime: p.completedTime,
      averageCallDurationSec: p.averageCallDuration,
      recentCalls: (p.recent_calls ?? []).map((c) => ({
        jobId: c.jobId,
        status: c.status,
        phoneNumber: c.phone_number ?? null,
        at: c.completedAt ?? c.failedAt,
        durationSec: c.duration,
        error: c.error ?? null,
      })),
      timestamp: b.timestamp,
    };
  });

export type BatchStatus = z.output<typeof batchStatusSchema>;

// Both error shapes of trillet-api.md: flat `{error, message?}` and nested `{error: {code, message, reset_at}}`.
export const errorBodySchema = z.union([
  z.looseObject({
    error: z.looseObject({
      code: z.string().optional(),
      message: z.string().optional(),
      reset_at: z.string().optional(),
    }),
  }),
  z.looseObject({ error: z.string(), message: z.string().optional() }),
]);

// POST /batch-calls and DELETE /batch-calls/{id}: only the id and count are relied on.
export const startedBatchSchema = z.looseObject({
  batchId: z.string().min(1),
  totalCalls: z.number().int().nonnegative().optional(),
  status: z.string().optional(),
});
export type StartedBatch = z.output<typeof startedBatchSchema>;

export const cancelledBatchSchema = z.looseObject({ status: z.string().optional() });

export function isFinished(summary: BatchSummary): boolean {
  return summary.waiting === 0 && summary.active === 0;
}
