import "server-only";

import { checkChannelUrl, checkResolvedHost } from "./channel-url";
import type { ChannelTarget } from "./channels";
import type { BatchEventPayload } from "./events";
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signatureHeader } from "./signature";

// One delivery attempt: the request a channel gets for an event, sent once. Redirects are never
// followed (a receiver cannot bounce the request elsewhere), each attempt has a deadline, and
// what is recorded of it is a status code or an error that names neither the URL nor a secret.

export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface SendOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  /** Stops the attempt early (the worker stopping). */
  signal?: AbortSignal;
  now?: number;
}

const percent = (rate: number | null) => (rate === null ? "n/a" : `${(rate * 100).toFixed(1)}%`);
const HEADLINES: Record<BatchEventPayload["type"], string> = {
  "batch.finished": "Batch finished",
  "batch.failure_rate": "Failure rate above threshold",
  "batch.stalled": "Batch stalled",
  "batch.retry_started": "Retry batch started",
  test: "Test notification",
};

/** Slack's mrkdwn treats &, < and > as markup. */
const escapeSlack = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** What a Slack incoming webhook gets: a text fallback and blocks with the counts, rates and reasons. */
export function slackMessage(p: BatchEventPayload): { text: string; blocks: unknown[] } {
  const name = escapeSlack(p.batch.label || p.batch.id);
  const headline = `${HEADLINES[p.type]}: ${name}`;
  const c = p.counts;
  const counts = `*${c.total}* calls: ${c.completed} completed, ${c.failed} failed, ${c.active} active, ${c.waiting} waiting`;
  const detail =
    p.type === "batch.failure_rate"
      ? `Failure rate ${percent(p.failureRate)} (threshold ${String(p.details?.thresholdPercent)}%)`
      : p.type === "batch.stalled"
        ? `No progress since ${String(p.details?.noProgressSince)} with ${c.waiting} calls waiting`
        : p.type === "batch.retry_started"
          ? `Retry of ${escapeSlack(String(p.details?.parentBatchId))}${p.details?.reason ? ` (${escapeSlack(String(p.details.reason))})` : ""}`
          : `Success rate ${percent(p.successRate)}`;
  const reasons = p.topFailureReasons.length
    ? `*Top failure reasons*\n${p.topFailureReasons.map((r) => `• ${escapeSlack(r.reason)}: ${r.count}`).join("\n")}`
    : null;
  return {
    text: `${headline} (${c.completed} completed, ${c.failed} failed, success rate ${percent(p.successRate)}) ${p.batch.url}`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: `${HEADLINES[p.type]}: ${(p.batch.label || p.batch.id).slice(0, 120)}` } },
      {
        type: "section",
        text: { type: "mrkdwn", text: `${escapeSlack(p.workspace.name)} · batch \`${escapeSlack(p.batch.id)}\`\n${counts}\n${detail}` },
      },
      ...(reasons ? [{ type: "section", text: { type: "mrkdwn", text: reasons } }] : []),
      { type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Open the batch" }, url: p.batch.url }] },
    ],
  };
}

/** The body a channel gets: Slack's message, or the payload itself for a webhook. */
export function requestBody(kind: ChannelTarget["kind"], payload: BatchEventPayload): string {
  return JSON.stringify(kind === "slack" ? slackMessage(payload) : payload);
}

export async function sendOnce(target: ChannelTarget, payload: BatchEventPayload, options: SendOptions): Promise<AttemptResult> {
  const started = Date.now();
  const result = (ok: boolean, statusCode: number | null, error: string | null): AttemptResult => ({
    ok,
    statusCode,
    error,
    durationMs: Date.now() - started,
  });
  // The rules again at send time: a setting may have changed since the channel was saved.
  const checked = checkChannelUrl(target.url, { allowPrivate: options.allowPrivate });
  if (!checked.ok) return result(false, null, checked.error);
  const refused = await checkResolvedHost(checked.url.hostname, { allowPrivate: options.allowPrivate });
  if (refused) return result(false, null, refused);

  const body = requestBody(target.kind, payload);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "Batchboard-Notifications/1",
    [EVENT_ID_HEADER]: payload.id,
    [EVENT_TYPE_HEADER]: payload.type,
  };
  if (target.kind === "webhook" && target.signingSecret)
    headers[SIGNATURE_HEADER] = signatureHeader(target.signingSecret, body, options.now);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    const response = await fetch(checked.url, { method: "POST", headers, body, redirect: "error", signal });
    // The answer's body is not kept (it could echo anything); read it only to free the connection.
    await response.body?.cancel().catch(() => {});
    if (response.ok) return result(true, response.status, null);
    return result(false, response.status, `The receiver answered HTTP ${response.status}.`);
  } catch (error) {
    if (timeout.aborted) return result(false, null, `No answer within ${Math.round(options.timeoutMs / 100) / 10} s.`);
    if (options.signal?.aborted) return result(false, null, "Stopped before an answer (the server was stopping).");
    return result(false, null, describeFetchError(error));
  }
}

/** A fetch failure in words, without the URL (node's messages may quote it) or anything from the body. */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const code = typeof cause?.code === "string" ? cause.code : null;
  const message = typeof cause?.message === "string" ? cause.message : "";
  if (/redirect/i.test(message)) return "The receiver answered with a redirect, which is not followed.";
  switch (code) {
    case "ECONNREFUSED":
      return "The connection was refused.";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "The host name could not be resolved.";
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return "The connection was closed before an answer.";
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return "The connection timed out.";
    default:
      if (code?.startsWith("ERR_TLS") || code?.includes("CERT")) return `The TLS connection failed (${code}).`;
      return code ? `The request failed (${code}).` : "The request failed.";
  }
}
