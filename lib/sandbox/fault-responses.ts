import "server-only";

import { json, rateLimited, rawJson } from "./http";

// What each injected fault looks like on the wire.

/** Longest a "timeout" fault holds a request when nobody aborts it. */
export const TIMEOUT_MAX_MS = 120_000;

const SERVER_ERRORS = [
  [500, "Internal server error"],
  [503, "Service unavailable"],
  [502, "Bad gateway"],
] as const;

/** Cycles 500, 503, 502 so a client sees every retryable 5xx, deterministically. */
export function serverError(serial: number): Response {
  const [status, error] = SERVER_ERRORS[serial % SERVER_ERRORS.length] ?? SERVER_ERRORS[0];
  return json(status, { error });
}

/** A short 429 burst: documented body, reset a second away, even when under the real limit. */
export function burstRateLimited(now: number, retryAfterHeader: boolean): Response {
  return rateLimited(now + 1_000, now, retryAfterHeader);
}

/** Status 200 and a JSON content type, but the body stops partway (as a dropped proxy would). */
export function malformed(body: unknown): Response {
  const text = JSON.stringify(body);
  return rawJson(200, text.slice(0, Math.max(1, Math.floor(text.length * 0.6))));
}

/**
 * Holds the request until the caller aborts (then rejects with the abort reason, as fetch does)
 * or until TIMEOUT_MAX_MS (then answers 504), clearing its timer and listener either way.
 */
export function hang(signal: AbortSignal | undefined): Promise<Response> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new DOMException("The operation was aborted.", "AbortError"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(json(504, { error: "Gateway timeout" }));
    }, TIMEOUT_MAX_MS);
    // Do not keep a process alive just for a request nobody is waiting on.
    if (typeof timer === "object" && "unref" in timer) timer.unref();
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const EXTRA_TOP = { requestId: "req_sandbox_drift", meta: { apiVersion: "2026-12-01", deprecated: false } };

function driftCall(call: unknown, index: number): unknown {
  if (!isObject(call)) return call;
  const out: Json = { ...call, campaignId: "cmp_sandbox", attempt: 1, tags: [], recordingUrl: null };
  // Optional fields vanish on some calls: a tolerant client shows them as unknown, not 0.
  if (index % 3 === 0) delete out.duration;
  if (index % 4 === 1) delete out.startTime;
  return out;
}

function driftProgress(progress: Json): Json {
  const out: Json = { ...progress, queued: 0, retrying: 0 };
  delete out.lastCompletedTime;
  if (Array.isArray(out.recent_calls)) {
    out.recent_calls = out.recent_calls.map((call) => {
      if (!isObject(call)) return call;
      const copy: Json = { ...call, attempt: 1 };
      delete copy.duration;
      return copy;
    });
  }
  return out;
}

/** Same data, different shape at the edges: unknown fields added, optional fields removed. */
export function drift(body: unknown): unknown {
  if (!isObject(body)) return body;
  const out: Json = { ...body, ...EXTRA_TOP };
  if (Array.isArray(out.calls)) out.calls = out.calls.map(driftCall);
  if (isObject(out.pagination)) {
    const pagination: Json = { ...out.pagination, cursor: null };
    delete pagination.hasPrev;
    out.pagination = pagination;
  }
  if (isObject(out.progress)) out.progress = driftProgress(out.progress);
  // The flat status variant carries the progress fields at the top level.
  else if ("recent_calls" in out) return driftProgress(out);
  return out;
}
