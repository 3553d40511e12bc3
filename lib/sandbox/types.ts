import "server-only";

/** "401" plays a key revoked upstream: valid credentials answered as if they were wrong. */
export type SandboxFaultKind = "5xx" | "timeout" | "429" | "malformed" | "drift" | "401";

export interface SandboxFaultRule {
  kind: SandboxFaultKind;
  /** Apply to the next N matching requests (omitted with `rate` => unlimited). */
  count?: number;
  /** Probability 0..1 per matching request, drawn from a seeded PRNG so runs repeat. */
  rate?: number;
  /** Only requests for this batch (default: all). */
  batchId?: string;
  /** Skip the first N matching requests, then start, so a page walk can fail midway. */
  afterRequests?: number;
}

export interface SandboxCredential {
  apiKey: string;
  workspaceId: string;
}

export interface SandboxOptions {
  credentials: SandboxCredential[];
  rateLimitPerMinute?: number;
  rateLimitRetryAfterHeader?: boolean;
  latencyMs?: number;
  liveSpeed?: number;
  liveStartedSecondsAgo?: number;
  /** Calls in the live batch (default 2,000). */
  liveSize?: number;
  faults?: SandboxFaultRule[];
  control?: boolean;
  production?: boolean;
  allowInProduction?: boolean;
  now?: () => number;
}

export type CallStatus = "waiting" | "active" | "completed" | "failed";

/** A call exactly as the list endpoint serves it (optional fields are absent, never undefined-valued). */
export interface SandboxCall {
  jobId: string;
  status: CallStatus;
  phone_number: string;
  startTime?: number;
  endTime?: number;
  duration?: number;
  error?: string;
  metadata: Record<string, string>;
}

export interface SandboxSummary {
  total: number;
  waiting: number;
  active: number;
  completed: number;
  failed: number;
}

export interface SandboxStats {
  requests: number;
  byStatus: Record<string, number>;
}

export interface Sandbox {
  handle(request: Request): Promise<Response>;
  truth(batchId: string): SandboxCall[] | undefined;
  summary(batchId: string): SandboxSummary | undefined;
  stats(): SandboxStats;
  resetStats(): void;
  setFaults(rules: SandboxFaultRule[]): void;
  setLiveSpeed(speed: number): void;
  restartLive(secondsAgo?: number): void;
  /** `windowMs` (default 60 000) lets tests scale Trillet's minute down. */
  setRateLimit(perMinute: number, windowMs?: number): void;
  setLatency(ms: number): void;
  /** A new finished batch of `size` calls (a share `failRate` failing); false when the id is taken. */
  addFinishedBatch(id: string, size: number, failRate?: number): boolean;
  batchIds: readonly string[];
}

export const SANDBOX_BATCHES = {
  finished: "demo-finished",
  live: "demo-live",
  large: "demo-large",
  failing: "demo-failing",
  empty: "demo-empty",
} as const;
