import "server-only";

import type { z } from "zod";

import { env } from "../env";
import { logger } from "../log";
import { metrics } from "../metrics";
import { assertOutboundUrl, OutboundUrlError } from "../security/outbound-url";
import { attemptSignal } from "./attempt-signal";
import { batchIdSchema } from "./batch-id";
import type { Priority } from "./budget";
import {
  BatchNotFoundError,
  CredentialsRejectedError,
  InvalidRequestError,
  InvalidResponseError,
  OutcomeUnknownError,
  RateLimitedError,
  RefusedUrlError,
  TrilletError,
  UpstreamUnavailableError,
} from "./errors";
import {
  batchStatusSchema,
  callsPageSchema,
  cancelledBatchSchema,
  errorBodySchema,
  MAX_PAGE_SIZE,
  startedBatchSchema,
  type BatchStatus,
  type CallsPage,
  type CallStatusFilter,
  type StartedBatch,
} from "./schemas";
import { sleep } from "./sleep";

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
  /** Private and loopback hosts allowed (lib/security/outbound-url.ts); default ALLOW_PRIVATE_URLS. */
  allowPrivateUrls?: boolean;
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

/** A new batch in Trillet's start-batch layout (trillet-api.md, POST /v1/api/batch-calls). */
export interface StartBatchInput {
  /** The CSV: a phone_number column, then the metadata columns, values exactly as Trillet should get them. */
  csv: string;
  agentId: string;
  /** Epoch ms; absent starts at once. */
  scheduledAt?: number;
  smartCallbackConfig?: Record<string, unknown>;
  filename?: string;
}

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

  /**
   * Starts a batch. Sent at most once: a POST is not idempotent upstream, so nothing here retries
   * it. An answer that never came (timeout, reset, 5xx, unreadable 2xx) is OutcomeUnknownError.
   */
  async startBatch(input: StartBatchInput, request: RequestOptions = {}): Promise<StartedBatch> {
    const form = new FormData();
    form.append("file", new Blob([input.csv], { type: "text/csv" }), input.filename ?? "batch.csv");
    form.append("agentId", input.agentId);
    if (input.scheduledAt !== undefined) form.append("scheduledAt", new Date(input.scheduledAt).toISOString());
    if (input.smartCallbackConfig) form.append("smartCallbackConfig", JSON.stringify(input.smartCallbackConfig));
    return this.#write("POST", "/v1/api/batch-calls", form, undefined, startedBatchSchema, request);
  }

  /** Cancels a batch (waiting calls stop, active ones finish). Sent once, like startBatch. */
  async cancelBatch(batchId: string, request: RequestOptions = {}): Promise<void> {
    await this.#write("DELETE", batchPath(batchId), undefined, batchId, cancelledBatchSchema, request);
  }

  async #write<S extends z.ZodType<object>>(
    method: "POST" | "DELETE",
    path: string,
    body: FormData | undefined,
    batchId: string | undefined,
    schema: S,
    request: RequestOptions,
  ): Promise<z.output<S>> {
    const fetchImpl = this.#opts.fetch ?? fetch;
    await this.#opts.beforeAttempt?.(request);
    const attempt = attemptSignal(request.signal, this.#opts.timeoutMs);
    let response: Response;
    try {
      response = await fetchImpl(this.#creds.baseUrl + path, {
        method,
        headers: { accept: "application/json", "x-api-key": this.#creds.apiKey, "x-workspace-id": this.#creds.workspaceId },
        body,
        cache: "no-store",
        // The key never follows a redirect to another host; a redirect is a failure.
        redirect: "error",
        signal: attempt.signal,
      });
    } catch (error) {
      attempt.done();
      // Refused before a byte was sent: nothing reached Trillet, so the outcome is known.
      const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
      if (cause?.code === "ECONNREFUSED" || cause?.code === "ENOTFOUND" || cause?.code === "EAI_AGAIN")
        throw toNetworkError(error, this.#opts.timeoutMs);
      // A redirect is an answer: whatever it points at, this address did not act on the request.
      if (typeof cause?.message === "string" && /redirect/i.test(cause.message)) {
        throw new UpstreamUnavailableError(`answered HTTP 3xx with a redirect, which is not followed`);
      }
      throw new OutcomeUnknownError(toNetworkError(error, this.#opts.timeoutMs).message.replace(/^Trillet is unreachable: |\.$/g, ""));
    }
    try {
      const parsedBody = await readJson(response).catch(() => undefined);
      if (response.ok) {
        const parsed = schema.safeParse(parsedBody);
        if (parsed.success) return parsed.data;
        throw new OutcomeUnknownError(`HTTP ${response.status} with an unreadable body`);
      }
      const { status } = response;
      if (status >= 500) throw new OutcomeUnknownError(`HTTP ${status}`);
      const outcome =
        batchId === undefined && status === 404
          ? new InvalidRequestError("Trillet has no start-batch endpoint at this address (HTTP 404).", 404)
          : this.#classify(response, parsedBody, batchId ?? "");
      if (outcome instanceof TrilletError) {
        // Trillet's own words on a refused file say which row or field to fix; they carry no secret.
        throw outcome instanceof InvalidRequestError && outcome.status !== 404
          ? new InvalidRequestError(refusal(status, parsedBody), status)
          : outcome;
      }
      // A 429 is refused before anything is done: the caller may try again after retryAt.
      throw new RateLimitedError(
        outcome.retryAt ?? this.#now() + DEFAULT_RATE_LIMIT_WAIT_MS,
        this.#opts.onRateLimited?.(outcome.retryAt ?? this.#now()) === true,
      );
    } finally {
      attempt.done();
    }
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
    // The outbound URL rule, before every read: a stored URL from before the rule, or a host name
    // that now resolves to a private address, is refused before the API key leaves.
    try {
      await assertOutboundUrl(this.#creds.baseUrl, { allowPrivate: this.#opts.allowPrivateUrls ?? env.ALLOW_PRIVATE_URLS });
    } catch (error) {
      if (error instanceof OutboundUrlError) throw new RefusedUrlError(error.message);
      throw error;
    }
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
          // Never follow a redirect: it would carry the API key to a host nobody configured.
          redirect: "error",
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
            logger()[outcome.kind === "not_found" ? "info" : "warn"](
              { event: "upstream.failed", ...fields(outcome) },
              "Trillet refused the request",
            );
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
        if (isRedirectRefusal(error)) throw new UpstreamUnavailableError("it answered with a redirect, which Batchboard does not follow");
        failure = error instanceof InvalidResponseError ? error : toNetworkError(error, attemptMs);
        count(
          error instanceof InvalidResponseError
            ? "invalid_response"
            : error instanceof Error && error.name === "TimeoutError"
              ? "timeout"
              : "network",
        );
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

  async #waitForRateLimit(
    retryAt: number,
    tries: number,
    signal: AbortSignal | undefined,
    deadline: number | undefined,
    fields: Record<string, unknown>,
  ) {
    const foreign = this.#opts.onRateLimited?.(retryAt) === true;
    metrics().upstreamRateLimited.inc({ foreign: String(foreign) });
    const wait = retryAt - this.#now();
    const line = {
      ...fields,
      kind: "rate_limited",
      status: 429,
      foreign,
      retryAt: new Date(retryAt).toISOString(),
      waitMs: Math.max(0, Math.round(wait)),
    };
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

/** "Trillet refused the request (HTTP 400): Row 3: ..." with Trillet's message, bounded and on one line. */
function refusal(status: number, body: unknown): string {
  const parsed = errorBodySchema.safeParse(body);
  const said = parsed.success
    ? typeof parsed.data.error === "string"
      ? [parsed.data.error, parsed.data.message].filter(Boolean).join(": ")
      : (parsed.data.error.message ?? parsed.data.error.code ?? "")
    : "";
  const text = said.replace(/\s+/g, " ").trim().slice(0, 300);
  return `Trillet refused the request (HTTP ${status})${text ? `: ${text}` : "."}`;
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "unknown";
}

/** Node's fetch with `redirect: "error"` fails with "unexpected redirect" as the cause. */
function isRedirectRefusal(error: unknown): boolean {
  const cause = (error as { cause?: { message?: unknown } } | null)?.cause;
  return typeof cause?.message === "string" && /redirect/i.test(cause.message);
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
