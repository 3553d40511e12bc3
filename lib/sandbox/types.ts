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
  /**
   * Only requests with this method (default: all). On POST and DELETE a "timeout" hangs after
   * the batch was created or cancelled: the answer is lost, the change is not.
   */
  method?: "GET" | "POST" | "DELETE";
}

/** What a POST /batch-calls received, as the sandbox read it. */
export interface CreatedBatch {
  batchId: string;
  receivedAt: number;
  agentId: string;
  scheduledAt?: number;
  smartCallbackConfig?: Record<string, unknown>;
  rows: Array<{ phone: string; metadata: Record<string, string> }>;
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
  /** Share of failing calls in batches started by POST (default 0.2). */
  uploadFailRate?: number;
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
  /** Every batch started by POST, oldest first, with what the request carried. */
  created(): CreatedBatch[];
  setUploadFailRate(rate: number): void;
  batchIds: readonly string[];
}

export const SANDBOX_BATCHES = {
  finished: "demo-finished",
  live: "demo-live",
  large: "demo-large",
  failing: "demo-failing",
  empty: "demo-empty",
} as const;
