import "server-only";

import { isForeignRateLimit, isTrilletError, retryAtOf, type TrilletErrorKind } from "../trillet/errors";

// How a typed upstream failure reaches a JSON client. A rejected Trillet key is a 502 (our
// upstream refused us), never a 401: the browser's own session is fine.
const STATUS: Record<TrilletErrorKind, number> = {
  not_found: 404,
  credentials: 502,
  rate_limited: 429,
  unavailable: 503,
  invalid_response: 502,
  incomplete: 502,
  invalid_request: 400,
  // A start or cancel Trillet may or may not have carried out: the gateway did not get an answer.
  outcome_unknown: 504,
};

export function upstreamErrorResponse(error: unknown): Response {
  if (!isTrilletError(error)) throw error;
  const retryAt = retryAtOf(error);
  return Response.json(
    {
      error: error.message,
      kind: error.kind,
      ...(retryAt ? { retryAt: new Date(retryAt).toISOString() } : {}),
      ...(isForeignRateLimit(error) ? { foreign: true } : {}),
    },
    {
      status: STATUS[error.kind],
      headers: retryAt ? { "retry-after": String(Math.max(1, Math.ceil((retryAt - Date.now()) / 1000))) } : undefined,
    },
  );
}
