import "server-only";

// Small Response helpers shared by the upstream and control routes.

const JSON_HEADERS = { "content-type": "application/json", "cache-control": "no-store" } as const;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** A body that claims to be JSON but is not, for the "malformed" fault. */
export function rawJson(status: number, text: string): Response {
  return new Response(text, { status, headers: JSON_HEADERS });
}

/** The documented rate-limit body; the status code is assumed (429) per trillet-api.md. */
export function rateLimited(resetAt: number, now: number, retryAfterHeader: boolean): Response {
  const headers: Record<string, string> = {};
  if (retryAfterHeader) headers["retry-after"] = String(Math.max(1, Math.ceil((resetAt - now) / 1000)));
  const body = { error: { code: "rate_limit_exceeded", message: "Rate limit exceeded", reset_at: new Date(resetAt).toISOString() } };
  return json(429, body, headers);
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted.", "AbortError");
}

/**
 * Resolves after `ms`, or rejects with the signal's reason as soon as the caller gives up, so an
 * abandoned request never holds a timer (mirrors how fetch rejects on abort).
 */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal ? abortReason(signal) : new Error("aborted"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
