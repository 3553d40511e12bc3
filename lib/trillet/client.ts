import "server-only";
import type { z } from "zod";
import {
  BatchNotFoundError,
  CredentialsRejectedError,
  InvalidRequestError,
  InvalidResponseError,
  RateLimitedError,
  TrilletError,
  UpstreamUnavailableError,
} from "./errors";
import { batchIdSchema } from "../batches/batch-id";
import {
  batchStatusSchema,
  callsPageSchema,
  errorBodySchema,
  MAX_PAGE_SIZE,
  type BatchStatus,
  type CallStatusFilter,
  type CallsPage,
} from "./schemas";
import type { Priority } from "./budget";
import { attemptSignal } from "./attempt-signal";
import { sleep } from "./sleep";
import { logger } from "../log";
import { metrics } from "../metrics";

export interface TrilletCredentials {
  baseUrl: string;
  apiKey: string;
  workspaceId: string;
}

export interface TrilletClientOptions {
  timeoutMs: number;
  maxRetries: number;
  /** A rate-limit answer asking us to wait longer than this fails with RateLimitedError instead. */
  maxRateLimitWaitMs: number;
  fetch?: typeof fetch;
  /**
   * Runs before every attempt, retries included: this is where the workspace budget is paid.
   * `maxWaitMs` is what is left of the request's deadline, if it has one.
   */
  beforeAttempt?: (request: RequestOptions & { maxWaitMs?: number }) => Promise<void>;
  /**
   * Told when Trillet says the budget is spent, so the gateway can hold everyone else back too.
   * Returns whether the 429 was someone else's (our own budget had room), which the error carries.
   */
  onRateLimited?: (retryAt: number) => boolean | void;
  random?: () => number;
  now?: () => number;
  /** Names the workspace in log lines (its internal id, never a credential). */
  label?: string;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Passed through to `beforeAttempt`, which decides who goes first. */
  priority?: Priority;
  /**
   * Epoch ms by which the whole read (budget waits, attempts, back-offs) must be over: a page
   * view's deadline. With one, a 429 is reported at once instead of waited out, no attempt or
   * back-off runs past it, and the last failure (or a RateLimitedError) is thrown when it comes.
   */
  deadline?: number;
}

/** An upstream answer and when it arrived (epoch ms), so a cached copy can say how old it is. */
export type Read<T> = T & { receivedAt: number };

export interface ListCallsParams {
  page?: number;
  limit?: number;
  status?: CallStatusFilter;
}

const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 5_000;
const MAX_RATE_LIMITED_TRIES = 6;
const DEFAULT_RATE_LIMIT_WAIT_MS = 10_000;

export class TrilletClient {
  readonly #creds: TrilletCredentials;
  readonly #opts: TrilletClientOptions;

  constructor(creds: TrilletCredentials, opts: TrilletClientOptions) {
    this.#creds = { ...creds, baseUrl: creds.baseUrl.replace(/\/+$/, "") };
    this.#opts = opts;
  }

  async listCalls(batchId: string, params: ListCallsParams = {}, request: RequestOptions = {}): Promise<Read<CallsPage>> {
    const page = params.page ?? 1;
    const limit = params.limit ?? 20;
    if (!Number.isInteger(page) || page < 1) throw new InvalidRequestError("page must be a whole number from 1.");
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new InvalidRequestError(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
    }
    const query = new URLSearchParams({ page: String(page), limit: String(limit), status: params.status ?? "all" });
    return this.#request(`${batchPath(batchId)}/calls?${query}`, batchId, callsPageSchema, request);
  }

  async getBatchStatus(batchId: string, request: RequestOptions = {}): Promise<Read<BatchStatus>> {
    return this.#request(batchPath(batchId), batchId, batchStatusSchema, request);
  }

  async #request<S extends z.ZodType<object>>(
    path: string,
    batchId: string,
    schema: S,
    request: RequestOptions,
  ): Promise<Read<z.output<S>>> {
    const { timeoutMs, maxRetries } = this.#opts;
    const { signal, deadline } = request;
    const fetchImpl = this.#opts.fetch ?? fetch;
    const left = () => (deadline === undefined ? Infinity : deadline - this.#now());
    let failures = 0;
    let rateLimited = 0;
    let lastFailure: TrilletError | undefined;
    const priority = request.priority ?? "interactive";
    // Every attempt is counted by outcome; every failure, retry and 429 wait is a log line.
    const count = (outcome: string) => metrics().upstreamRequests.inc({ outcome, priority });
    let attemptNo = 0;
    const fields = (error?: TrilletError) => ({
      workspace: this.#opts.label,
      batch: batchId,
      priority,
      attempt: attemptNo,
      ...(error ? { kind: error.kind, status: error.status, reason: error.message } : {}),
    });
    for (;;) {
      signal?.throwIfAborted();
      if (left() <= 0) throw lastFailure ?? new UpstreamUnavailableError("no answer before the page's deadline");
      await this.#opts.beforeAttempt?.({ ...request, maxWaitMs: deadline === undefined ? undefined : Math.max(0, left()) });
      // An attempt never runs past the deadline: a hung Trillet costs a page view its deadline, not
      // its deadline plus a whole timeout.
      const attemptMs = Math.min(timeoutMs, left());
      attemptNo++;
      let failure: TrilletError;
      const attempt = attemptSignal(signal, attemptMs);
      try {
        const response = await fetchImpl(this.#creds.baseUrl + path, {
          headers: {
            accept: "application/json",
            "x-api-key": this.#creds.apiKey,
            "x-workspace-id": this.#creds.workspaceId,
          },
          cache: "no-store",
          signal: attempt.signal,
        });
        if (response.ok) {
          const parsed = schema.safeParse(await readJson(response));
          if (parsed.success) {
            count("ok");
            return { ...(parsed.data as object), receivedAt: this.#now() } as Read<z.output<S>>;
          }
          failure = new InvalidResponseError(`unexpected shape at ${describeIssue(parsed.error)}`);
        } else {
          const body = await readJson(response).catch(() => undefined);
          const outcome = this.#classify(response, body, batchId);
          if (outcome instanceof TrilletError) {
            count(outcome.kind);
            // An unknown batch is somebody's typo, not an incident.
            logger()[outcome.kind === "not_found" ? "info" : "warn"]({ event: "upstream.failed", ...fields(outcome) }, "Trillet refused the request");
            throw outcome;
          }
          if (outcome.retryAt !== undefined) {
            count("rate_limited");
            await this.#waitForRateLimit(outcome.retryAt, ++rateLimited, signal, deadline, fields());
            continue;
          }
          failure = new UpstreamUnavailableError(`HTTP ${response.status}`, response.status);
          count("server_error");
        }
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (error instanceof TrilletError && !(error instanceof InvalidResponseError)) throw error;
        failure = error instanceof InvalidResponseError ? error : toNetworkError(error, attemptMs);
        count(error instanceof InvalidResponseError ? "invalid_response" : error instanceof Error && error.name === "TimeoutError" ? "timeout" : "network");
      } finally {
        attempt.done();
      }
      lastFailure = failure;
      const giveUp = (why: string) => {
        logger().warn({ event: "upstream.failed", ...fields(failure), retries: failures, gaveUp: why }, "Trillet read failed");
        return failure;
      };
      if (failures >= maxRetries) throw giveUp("retries used up");
      failures++;
      const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** failures);
      const backoff = (this.#opts.random ?? Math.random)() * ceiling;
      if (backoff >= left()) throw giveUp("deadline");
      logger().warn({ event: "upstream.retry", ...fields(failure), backoffMs: Math.round(backoff) }, "Trillet read failed; retrying");
      metrics().upstreamRetries.inc({ reason: "backoff" });
      await sleep(backoff, signal);
    }
  }

  /** A final error to throw, or what to do before retrying. */
  #classify(response: Response, body: unknown, batchId: string): TrilletError | { retryAt?: number } {
    const { status } = response;
    if (status === 401 || status === 403) return new CredentialsRejectedError(status);
    if (status === 404) return new BatchNotFoundError(batchId);
    const error = errorBodySchema.safeParse(body);
    const nested = error.success && typeof error.data.error === "object" ? error.data.error : undefined;
    if (status === 429 || nested?.code === "rate_limit_exceeded") {
      return { retryAt: retryAtFrom(nested?.reset_at, response.headers.get("retry-after"), this.#now()) };
    }
    if (status >= 500) return {};
    return new InvalidRequestError(`Trillet refused the request (HTTP ${status}).`, status);
  }

  async #waitForRateLimit(retryAt: number, tries: number, signal: AbortSignal | undefined, deadline: number | undefined, fields: Record<string, unknown>) {
    const foreign = this.#opts.onRateLimited?.(retryAt) === true;
    metrics().upstreamRateLimited.inc({ foreign: String(foreign) });
    const wait = retryAt - this.#now();
    const line = { ...fields, kind: "rate_limited", status: 429, foreign, retryAt: new Date(retryAt).toISOString(), waitMs: Math.max(0, Math.round(wait)) };
    // A page view never waits out a 429: it answers now (stale data or "retrying at ...").
    if (deadline !== undefined || wait > this.#opts.maxRateLimitWaitMs || tries > MAX_RATE_LIMITED_TRIES) {
      const why = deadline !== undefined ? "page view" : tries > MAX_RATE_LIMITED_TRIES ? "too many 429s" : "wait too long";
      logger().warn({ event: "upstream.failed", ...line, gaveUp: why }, "Trillet answered 429; not waiting");
      throw new RateLimitedError(retryAt, foreign);
    }
    logger().warn({ event: "upstream.rate_limit_wait", ...line }, "Trillet answered 429; waiting for its reset");
    metrics().upstreamRetries.inc({ reason: "rate_limit" });
    // A little jitter so that every waiter does not land on the same millisecond.
    await sleep(Math.max(wait, 50) + (this.#opts.random ?? Math.random)() * 250, signal);
  }

  #now() {
    return (this.#opts.now ?? Date.now)();
  }
}

function batchPath(batchId: string): string {
  const parsed = batchIdSchema.safeParse(batchId);
  if (!parsed.success) throw new InvalidRequestError(parsed.error.issues[0]?.message ?? "Invalid batch ID.");
  return `/v1/api/batch-calls/${encodeURIComponent(parsed.data)}`;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidResponseError(`malformed JSON (HTTP ${response.status}, ${text.length} bytes)`);
  }
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "unknown";
}

function toNetworkError(error: unknown, timeoutMs: number): UpstreamUnavailableError {
  const name = error instanceof Error ? error.name : "";
  if (name === "TimeoutError") return new UpstreamUnavailableError(`no answer within ${timeoutMs} ms`);
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return new UpstreamUnavailableError(typeof code === "string" ? `network error ${code}` : "network error");
}

export function retryAtFrom(resetAt: string | undefined, retryAfter: string | null, now: number): number {
  const fromBody = resetAt ? Date.parse(resetAt) : NaN;
  if (Number.isFinite(fromBody)) return fromBody;
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return now + seconds * 1000;
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return date;
  }
  return now + DEFAULT_RATE_LIMIT_WAIT_MS;
}
