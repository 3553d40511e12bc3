import "server-only";

import type { BatchView } from "./batches";
import { CALL_STATUSES } from "./snapshot";
import type { CallStatus, SandboxCall } from "./types";

// JSON bodies of the two batch endpoints, built from a BatchView.

export interface CallsQuery {
  page: number;
  limit: number;
  status: CallStatus | "all";
}

const STATUS_FILTERS = ["all", ...CALL_STATUSES] as const;

function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): number | string {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    return max === Number.MAX_SAFE_INTEGER
      ? `"${name}" must be an integer >= ${min}`
      : `"${name}" must be an integer between ${min} and ${max}`;
  }
  return value;
}

/** Out-of-range values are undocumented upstream; the sandbox rejects them (trillet-api.md). */
export function parseCallsQuery(params: URLSearchParams): CallsQuery | { error: string } {
  const page = intParam(params, "page", 1, 1, Number.MAX_SAFE_INTEGER);
  if (typeof page === "string") return { error: page };
  const limit = intParam(params, "limit", 20, 1, 100);
  if (typeof limit === "string") return { error: limit };
  const raw = params.get("status") ?? "all";
  const status = STATUS_FILTERS.find((s) => s === raw);
  if (!status) return { error: `"status" must be one of ${STATUS_FILTERS.join(", ")}` };
  return { page, limit, status };
}

export function callsPageBody(view: BatchView, query: CallsQuery) {
  const { snapshot } = view;
  const total = query.status === "all" ? snapshot.summary.total : snapshot.summary[query.status];
  const totalPages = Math.ceil(total / query.limit);
  const from = Math.min((query.page - 1) * query.limit, total);
  const to = Math.min(from + query.limit, total);
  const calls: SandboxCall[] = [];
  const rows = query.status === "all" ? undefined : snapshot.indexes[query.status];
  for (let i = from; i < to; i++) calls.push(view.call(rows ? (rows[i] ?? 0) : i));
  return {
    calls,
    pagination: {
      page: query.page,
      limit: query.limit,
      total,
      totalPages,
      hasNext: query.page < totalPages,
      hasPrev: query.page > 1,
    },
    summary: { ...snapshot.summary },
  };
}

function recentCall(call: SandboxCall) {
  const at = call.endTime ?? 0;
  return {
    jobId: call.jobId,
    status: call.status,
    phone_number: call.phone_number,
    ...(call.status === "failed" ? { failedAt: at } : { completedAt: at }),
    ...(call.duration !== undefined ? { duration: call.duration } : {}),
    ...(call.error !== undefined ? { error: call.error } : {}),
  };
}

type BatchStatus = "queued" | "processing" | "completed" | "cancelled";

function batchStatus(view: BatchView): { status: BatchStatus; isComplete: boolean } {
  const { waiting, active, total } = view.snapshot.summary;
  // The sandbox's reading of "waiting calls stop, active ones finish": the stopped calls stay
  // "waiting" in the list, and the batch is complete once its last active call ended.
  if (view.cancelled) return { status: "cancelled", isComplete: active === 0 };
  if (waiting + active === 0) return { status: "completed", isComplete: true };
  if (waiting === total) return { status: "queued", isComplete: false };
  return { status: "processing", isComplete: false };
}

function progressFields(view: BatchView, isComplete: boolean) {
  const { snapshot, epoch } = view;
  const lastCompletedTime = snapshot.lastFinishedOffset === null ? null : epoch + snapshot.lastFinishedOffset;
  const { waiting, active, completed, failed, total } = snapshot.summary;
  return {
    waiting,
    active,
    completed,
    failed,
    total,
    // The batch's start (when it was launched), also for an empty or still-queued batch.
    startTime: epoch,
    lastCompletedTime,
    completedTime: isComplete ? (lastCompletedTime ?? epoch) : null,
    averageCallDuration: snapshot.averageCallDuration,
    recent_calls: snapshot.recent.map((index) => recentCall(view.call(index))),
  };
}

/** GET /batch-calls/{id} nests progress; the /status variant puts the same fields at the top. */
export function statusBody(batchId: string, view: BatchView, flat: boolean) {
  const { status, isComplete } = batchStatus(view);
  const progress = progressFields(view, isComplete);
  const head = { id: batchId, status, isComplete, totalCalls: view.snapshot.summary.total };
  return flat ? { ...head, ...progress, timestamp: view.now } : { ...head, progress, timestamp: view.now };
}
