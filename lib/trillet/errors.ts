import "server-only";

// Typed upstream failures. Messages are fixed sentences built from status codes and our own
// words, never from request headers or upstream bodies, so no credential can ride along.

export type TrilletErrorKind =
  "credentials" | "not_found" | "rate_limited" | "unavailable" | "invalid_response" | "invalid_request" | "incomplete" | "outcome_unknown";

// Next bundles pages and route handlers separately, so one gateway (shared per process) may throw
// an error class from another bundle's copy of this module: recognise errors by brand, not class.
const BRAND = Symbol.for("batchboard.TrilletError");

export class TrilletError extends Error {
  override name = "TrilletError";
  readonly [BRAND] = true;
  constructor(
    readonly kind: TrilletErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export class CredentialsRejectedError extends TrilletError {
  override name = "CredentialsRejectedError";
  constructor(status: number) {
    super("credentials", `Trillet rejected the workspace credentials (HTTP ${status}).`, status);
  }
}

export class BatchNotFoundError extends TrilletError {
  override name = "BatchNotFoundError";
  constructor(readonly batchId: string) {
    super("not_found", `Trillet has no batch ${batchId} in this workspace.`, 404);
  }
}

export class RateLimitedError extends TrilletError {
  override name = "RateLimitedError";
  /**
   * `retryAt`: epoch ms when the budget frees up again. `foreign`: Trillet refused us while our own
   * budget had room, so another tool is using the same key (a budget Batchboard cannot see).
   */
  constructor(
    readonly retryAt: number,
    readonly foreign = false,
  ) {
    super(
      "rate_limited",
      foreign
        ? `Trillet's rate limit was reached by another tool using this workspace's key; it frees up at ${new Date(retryAt).toISOString()}.`
        : `Trillet's rate limit was reached; it frees up at ${new Date(retryAt).toISOString()}.`,
      429,
    );
  }
}

export class UpstreamUnavailableError extends TrilletError {
  override name = "UpstreamUnavailableError";
  constructor(detail: string, status?: number) {
    super("unavailable", `Trillet is unreachable: ${detail}.`, status);
  }
}

export class InvalidResponseError extends TrilletError {
  override name = "InvalidResponseError";
  constructor(detail: string) {
    super("invalid_response", `Trillet sent a response we could not read: ${detail}.`);
  }
}

export class InvalidRequestError extends TrilletError {
  override name = "InvalidRequestError";
  constructor(detail: string, status?: number) {
    super("invalid_request", detail, status);
  }
}

/** The workspace's base URL breaks the outbound URL rule (lib/security/outbound-url.ts): nothing was sent. */
export class RefusedUrlError extends TrilletError {
  override name = "RefusedUrlError";
  constructor(message: string) {
    super("invalid_request", message);
  }
}

/** A walk that could not account for every call of the batch: never a silently short result. */
export class WalkIncompleteError extends TrilletError {
  override name = "WalkIncompleteError";
  constructor(detail: string) {
    super("incomplete", `Reading the whole batch failed: ${detail}.`);
  }
}

/**
 * A write (start or cancel) whose request may have reached Trillet but whose answer did not reach
 * us: it may or may not have taken effect. Never retried automatically; the user is told what to check.
 */
export class OutcomeUnknownError extends TrilletError {
  override name = "OutcomeUnknownError";
  constructor(detail: string) {
    super("outcome_unknown", `Trillet did not confirm the request (${detail}); it may or may not have taken effect.`);
  }
}

export function isTrilletError(e: unknown): e is TrilletError {
  return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

/** Whether a rate-limited failure came from another user of the same key. */
export function isForeignRateLimit(e: unknown): boolean {
  return isTrilletError(e) && e.kind === "rate_limited" && (e as RateLimitedError).foreign === true;
}

/** When a rate-limited failure says the budget frees up (epoch ms), if it is one. */
export function retryAtOf(e: unknown): number | undefined {
  return isTrilletError(e) && e.kind === "rate_limited" ? (e as RateLimitedError).retryAt : undefined;
}
