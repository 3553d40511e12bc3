import "server-only";

// A faithful Trillet stand-in (see docs/trillet-api.md) served as plain
// Request -> Response, so it runs inside tests, inside the demo and standalone
// (scripts/sandbox.ts via ./node-server). It never reads the environment itself: callers pass options (lib/env.ts reads it).

import { createCatalogue, createLiveClock } from "./batches";
import { handleControl, isControlPath } from "./control";
import { FaultInjector, parseFaultSpec, validateFaultRules } from "./faults";
import { handleUpstream, type UpstreamContext } from "./handler";
import { json } from "./http";
import { SlidingWindowLimiter } from "./rate-limit";
import { type CreatedBatch, type Sandbox, type SandboxCall, type SandboxOptions } from "./types";

export { parseFaultSpec } from "./faults";
export { SANDBOX_BATCHES } from "./types";
export type {
  CallStatus,
  CreatedBatch,
  Sandbox,
  SandboxCall,
  SandboxCredential,
  SandboxFaultKind,
  SandboxFaultRule,
  SandboxOptions,
  SandboxStats,
  SandboxSummary,
} from "./types";

const DEFAULT_STARTED_SECONDS_AGO = 90;

function checkNumber(name: string, value: number, { integer = false } = {}): number {
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new RangeError(`Sandbox ${name} must be a non-negative ${integer ? "integer" : "number"}, got ${value}`);
  }
  return value;
}

/** Throws in production unless `allowInProduction`: demo data must never pose as real calls. */
export function createSandbox(options: SandboxOptions): Sandbox {
  if (options.production && !options.allowInProduction) {
    throw new Error("The Trillet sandbox is refused in production; enable it explicitly (allowInProduction) to run it anyway.");
  }
  const now = options.now ?? Date.now;
  const startedAgo = checkNumber("liveStartedSecondsAgo", options.liveStartedSecondsAgo ?? DEFAULT_STARTED_SECONDS_AGO);
  const clock = createLiveClock(checkNumber("liveSpeed", options.liveSpeed ?? 1), startedAgo, now());
  const limiter = new SlidingWindowLimiter(checkNumber("rateLimitPerMinute", options.rateLimitPerMinute ?? 60, { integer: true }));
  const faults = new FaultInjector(options.faults ?? []);
  let latencyMs = checkNumber("latencyMs", options.latencyMs ?? 0);
  let uploadFailRate = Math.min(1, checkNumber("uploadFailRate", options.uploadFailRate ?? 0.2));
  const created: CreatedBatch[] = [];
  let stats = { requests: 0, byStatus: {} as Record<string, number> };
  const count = (key: string) => {
    stats.byStatus[key] = (stats.byStatus[key] ?? 0) + 1;
  };

  const ctx: UpstreamContext = {
    credentials: options.credentials.map((c) => ({ ...c })),
    now,
    catalogue: createCatalogue(
      clock,
      options.liveSize === undefined ? undefined : checkNumber("liveSize", options.liveSize, { integer: true }),
    ),
    limiter,
    faults,
    retryAfterHeader: options.rateLimitRetryAfterHeader ?? true,
    latencyMs: () => latencyMs,
    uploadFailRate: () => uploadFailRate,
    onCreated: (batch) => created.push(batch),
  };

  const truth = (batchId: string): SandboxCall[] | undefined => {
    const batch = ctx.catalogue.get(batchId);
    if (!batch) return undefined;
    const view = batch.view(now());
    return Array.from({ length: batch.size }, (_, index) => view.call(index));
  };

  const sandbox: Sandbox = {
    batchIds: ctx.catalogue.ids,
    async handle(request) {
      const { pathname } = new URL(request.url);
      // Control traffic is not upstream traffic: it neither counts in stats nor needs auth.
      if (options.control && isControlPath(pathname)) return handleControl(sandbox, request, pathname);
      stats.requests++;
      if (isControlPath(pathname)) {
        count("404");
        return json(404, { error: "Not found" });
      }
      try {
        const response = await handleUpstream(ctx, request);
        count(String(response.status));
        return response;
      } catch (error) {
        if (request.signal.aborted) {
          count("aborted");
          throw error;
        }
        // A stand-in server answers like one: a bug here is a 500, not a rejected fetch.
        count("500");
        return json(500, { error: "Internal server error" });
      }
    },
    truth,
    summary(batchId) {
      const batch = ctx.catalogue.get(batchId);
      return batch ? { ...batch.view(now()).snapshot.summary } : undefined;
    },
    stats: () => ({ requests: stats.requests, byStatus: { ...stats.byStatus } }),
    resetStats() {
      stats = { requests: 0, byStatus: {} };
    },
    setFaults(rules) {
      faults.setRules(validateFaultRules(rules));
    },
    setLiveSpeed(speed) {
      ctx.catalogue.setSpeed(checkNumber("liveSpeed", speed), now());
    },
    restartLive(secondsAgo = startedAgo) {
      ctx.catalogue.restartLive(checkNumber("restartLive secondsAgo", secondsAgo), now());
    },
    setRateLimit(perMinute, windowMs) {
      limiter.setLimit(checkNumber("rateLimitPerMinute", perMinute, { integer: true }), windowMs);
    },
    setLatency(ms) {
      latencyMs = checkNumber("latencyMs", ms);
    },
    addFinishedBatch(id, size, failRate = 0.2) {
      return ctx.catalogue.addFinished(id, checkNumber("size", size, { integer: true }), Math.min(1, checkNumber("failRate", failRate)));
    },
    created: () =>
      created.map((batch) => ({ ...batch, rows: batch.rows.map((row) => ({ phone: row.phone, metadata: { ...row.metadata } })) })),
    setUploadFailRate(rate) {
      uploadFailRate = Math.min(1, checkNumber("uploadFailRate", rate));
    },
  };
  return sandbox;
}

/** Plain settings (already parsed numbers and flags), e.g. from lib/env.ts or the sandbox script. */
export interface SandboxSettings {
  apiKey: string;
  workspaceId: string;
  rateLimitPerMinute?: number;
  latencyMs?: number;
  liveSpeed?: number;
  /** Fault spec in the env format, see parseFaultSpec. */
  faults?: string;
  control?: boolean;
  production?: boolean;
  allowInProduction?: boolean;
}

export function sandboxOptionsFromSettings(settings: SandboxSettings): SandboxOptions {
  return {
    credentials: [{ apiKey: settings.apiKey, workspaceId: settings.workspaceId }],
    rateLimitPerMinute: settings.rateLimitPerMinute ?? 60,
    latencyMs: settings.latencyMs ?? 0,
    liveSpeed: settings.liveSpeed ?? 1,
    faults: parseFaultSpec(settings.faults ?? ""),
    control: settings.control ?? false,
    production: settings.production ?? false,
    allowInProduction: settings.allowInProduction ?? false,
  };
}
