import "server-only";

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

// Prometheus metrics of this process, served by /api/metrics. One registry per process, kept on
// globalThis: Next bundles pages, route handlers and instrumentation separately, and each copy of
// this module must count into the same series. Point-in-time gauges (budget, mirror queue) are
// read when scraped (lib/metrics-scrape.ts); counters and histograms move where things happen.

export interface Metrics {
  registry: Registry;
  /** Every attempt sent to Trillet, by what came back (ok, rate_limited, server_error, timeout, ...). */
  upstreamRequests: Counter<"outcome" | "priority">;
  /** 429 answers from Trillet; foreign: our own budget had room (another tool uses the key). */
  upstreamRateLimited: Counter<"foreign">;
  /** Attempts retried after a failure (back-off), and 429s waited out. */
  upstreamRetries: Counter<"reason">;
  budgetInUse: Gauge<"workspace">;
  budgetLimit: Gauge<"workspace">;
  budgetQueued: Gauge<"workspace" | "priority">;
  budgetPaused: Gauge<"workspace">;
  /** Seconds the most overdue due sync job has waited for a runner. */
  syncLag: Gauge;
  syncJobs: Gauge<"state">;
  /** Ends of sync slices and passes: done, frozen, mismatch, failed, yielded, lost. */
  syncs: Counter<"outcome">;
  exports: Counter<"outcome" | "source">;
  exportRows: Counter<"source">;
  signInFailures: Counter<"reason">;
  signInThrottled: Counter;
  /** Request arrival to the response's last byte (or the connection closing), every route. */
  httpDuration: Histogram<"method" | "route" | "status">;
}

const KEY = Symbol.for("batchboard.metrics");

function create(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    upstreamRequests: new Counter({
      name: "batchboard_upstream_requests_total",
      help: "Requests sent to Trillet, by outcome and priority (interactive, bulk, background).",
      labelNames: ["outcome", "priority"],
      registers,
    }),
    upstreamRateLimited: new Counter({
      name: "batchboard_upstream_rate_limited_total",
      help: "429 answers from Trillet; foreign=true when Batchboard's own budget had room (another tool on the key).",
      labelNames: ["foreign"],
      registers,
    }),
    upstreamRetries: new Counter({
      name: "batchboard_upstream_retries_total",
      help: "Upstream attempts retried: after a failure (backoff) or after waiting out a 429 (rate_limit).",
      labelNames: ["reason"],
      registers,
    }),
    budgetInUse: new Gauge({
      name: "batchboard_budget_in_use",
      help: "Requests of the workspace's rate-limit window already used (this instance's view; shared on PostgreSQL).",
      labelNames: ["workspace"],
      registers,
    }),
    budgetLimit: new Gauge({
      name: "batchboard_budget_limit",
      help: "Requests per minute the workspace's budget allows.",
      labelNames: ["workspace"],
      registers,
    }),
    budgetQueued: new Gauge({
      name: "batchboard_budget_queued",
      help: "Requests of this instance waiting for the workspace's budget, by priority.",
      labelNames: ["workspace", "priority"],
      registers,
    }),
    budgetPaused: new Gauge({
      name: "batchboard_budget_paused",
      help: "1 while the workspace's budget is paused by a Trillet 429, else 0.",
      labelNames: ["workspace"],
      registers,
    }),
    syncLag: new Gauge({
      name: "batchboard_mirror_sync_lag_seconds",
      help: "How long the most overdue due mirror sync job has waited for a runner (0: none waiting).",
      registers,
    }),
    syncJobs: new Gauge({
      name: "batchboard_mirror_jobs",
      help: "Mirror sync jobs by state (frozen batches counted as frozen).",
      labelNames: ["state"],
      registers,
    }),
    syncs: new Counter({
      name: "batchboard_mirror_syncs_total",
      help: "Mirror sync slices ended by this instance, by outcome (done, frozen, mismatch, failed, yielded, lost).",
      labelNames: ["outcome"],
      registers,
    }),
    exports: new Counter({
      name: "batchboard_exports_total",
      help: "Exports ended, by outcome (completed, failed, cancelled, refused) and source (mirror, cache, trillet).",
      labelNames: ["outcome", "source"],
      registers,
    }),
    exportRows: new Counter({
      name: "batchboard_export_rows_total",
      help: "Rows written by completed exports, by source.",
      labelNames: ["source"],
      registers,
    }),
    signInFailures: new Counter({
      name: "batchboard_sign_in_failures_total",
      help: "Refused password sign-ins, by reason (unknown_email, wrong_password, disabled, invalid_input).",
      labelNames: ["reason"],
      registers,
    }),
    signInThrottled: new Counter({
      name: "batchboard_sign_in_throttled_total",
      help: "Sign-in attempts refused by the throttle before any password check.",
      registers,
    }),
    httpDuration: new Histogram({
      name: "batchboard_http_request_duration_seconds",
      help: "HTTP requests from arrival to the response's last byte (or the connection closing), by route pattern.",
      labelNames: ["method", "route", "status"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
  };
}

export function metrics(): Metrics {
  const g = globalThis as typeof globalThis & { [KEY]?: Metrics };
  return (g[KEY] ??= create());
}
