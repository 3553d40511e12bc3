"use client";

import useSWR from "swr";

import type { TrilletCall } from "@/lib/trillet/schemas";

export type CallLookup =
  | { found: true; call: TrilletCall }
  | { found: false; reason: "not_found" | "not_copied"; message: string; progress?: { pagesDone: number; totalPages: number } };

/** How often a call of a batch being copied is asked for again: a database read, not a Trillet request. */
const WHILE_COPYING_MS = 2_000;

export function callDetailUrl(workspace: string, batchId: string, jobId: string): string {
  return `/api/w/${encodeURIComponent(workspace)}/batches/${encodeURIComponent(batchId)}/calls/${encodeURIComponent(jobId)}`;
}

async function fetchCall(url: string): Promise<CallLookup> {
  const response = await fetch(url, { headers: { accept: "application/json" } });
  const body = (await response.json().catch(() => null)) as {
    call?: TrilletCall;
    error?: string;
    reason?: string;
    progress?: { pagesDone: number; totalPages: number };
  } | null;
  // A missing call is an answer to show, not an error to retry.
  if (response.status === 404 && (body?.reason === "not_found" || body?.reason === "not_copied")) {
    return { found: false, reason: body.reason, message: body.error ?? "This call was not found.", progress: body.progress };
  }
  if (!response.ok || !body?.call) throw new Error(body?.error ?? `The call could not be loaded (HTTP ${response.status}).`);
  return { found: true, call: body.call };
}

/** One call from the route handler; nothing is fetched while `jobId` is null. */
export function useCallDetail(workspace: string, batchId: string, jobId: string | null) {
  return useSWR(jobId ? callDetailUrl(workspace, batchId, jobId) : null, fetchCall, {
    // Finished calls never change, and a copy is never rewritten under a call: no polling, except
    // while the batch is being copied (a link opened first), until the copy holds the call.
    refreshInterval: (latest) => (latest && !latest.found && latest.reason === "not_copied" ? WHILE_COPYING_MS : 0),
    revalidateOnFocus: false,
    revalidateIfStale: false,
    shouldRetryOnError: false,
  });
}
