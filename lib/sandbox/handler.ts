import "server-only";

import type { Catalogue } from "./batches";
import { burstRateLimited, drift, hang, malformed, serverError } from "./fault-responses";
import type { FaultInjector } from "./faults";
import { json, rateLimited, sleep } from "./http";
import type { SlidingWindowLimiter } from "./rate-limit";
import type { SandboxCredential } from "./types";
import { callsPageBody, parseCallsQuery, statusBody } from "./views";

// The upstream routes: auth, rate limit, routing, fault injection and the batch endpoints.

export interface UpstreamContext {
  credentials: readonly SandboxCredential[];
  now: () => number;
  catalogue: Catalogue;
  limiter: SlidingWindowLimiter;
  faults: FaultInjector;
  retryAfterHeader: boolean;
  latencyMs: () => number;
}

type RouteKind = "calls" | "status" | "flat-status";

interface Route {
  kind: RouteKind;
  batchId: string;
}

const PREFIX = "/v1/api/batch-calls/";
const SUB_ROUTES: Record<string, RouteKind> = { calls: "calls", status: "flat-status" };

function matchRoute(pathname: string): Route | undefined {
  if (!pathname.startsWith(PREFIX)) return undefined;
  const [rawId, sub, ...rest] = pathname.slice(PREFIX.length).split("/");
  if (!rawId || rest.length > 0) return undefined;
  const kind = sub === undefined ? "status" : SUB_ROUTES[sub];
  if (!kind) return undefined;
  try {
    return { kind, batchId: decodeURIComponent(rawId) };
  } catch {
    return undefined;
  }
}

function authorised(ctx: UpstreamContext, request: Request): string | undefined {
  const apiKey = request.headers.get("x-api-key");
  const workspaceId = request.headers.get("x-workspace-id");
  if (!apiKey || !workspaceId) return undefined;
  const match = ctx.credentials.some((c) => c.apiKey === apiKey && c.workspaceId === workspaceId);
  return match ? apiKey : undefined;
}

function batchResponse(ctx: UpstreamContext, route: Route, url: URL, now: number): { status: number; body: unknown } {
  const batch = ctx.catalogue.get(route.batchId);
  if (!batch) {
    // Generic message: the batch id is caller input and is not reflected back.
    return { status: 404, body: { error: "Batch not found", message: "No batch with this id exists in the workspace." } };
  }
  if (route.kind !== "calls") return { status: 200, body: statusBody(batch.id, batch.view(now), route.kind === "flat-status") };
  const query = parseCallsQuery(url.searchParams);
  if ("error" in query) return { status: 400, body: { error: query.error } };
  return { status: 200, body: callsPageBody(batch.view(now), query) };
}

/** Synchronous up to the decision, so the state a request sees is the state at its arrival. */
function decide(ctx: UpstreamContext, request: Request, now: number): Response | "hang" {
  // Auth comes first: nothing, not even "not found", is revealed without valid credentials.
  const apiKey = authorised(ctx, request);
  if (!apiKey) return json(401, { error: "Unauthorized" });

  const verdict = ctx.limiter.check(apiKey, now);
  if (!verdict.allowed) return rateLimited(verdict.resetAt, now, ctx.retryAfterHeader);

  const url = new URL(request.url);
  const route = matchRoute(url.pathname);
  if (!route || request.method !== "GET") {
    ctx.limiter.record(apiKey, now);
    return route ? json(405, { error: "Method not allowed" }, { allow: "GET" }) : json(404, { error: "Not found" });
  }

  const fault = ctx.faults.pick(route.batchId);
  // A rejected request does not use up the window, whether the 429 is real or injected.
  if (fault?.kind === "429") return burstRateLimited(now, ctx.retryAfterHeader);
  ctx.limiter.record(apiKey, now);
  if (fault?.kind === "5xx") return serverError(fault.serial);
  if (fault?.kind === "401") return json(401, { error: "Unauthorized" });
  if (fault?.kind === "timeout") return "hang";

  const { status, body } = batchResponse(ctx, route, url, now);
  // Shape faults only disturb successful answers; an error stays a well-formed error.
  if (status === 200 && fault?.kind === "malformed") return malformed(body);
  if (status === 200 && fault?.kind === "drift") return json(200, drift(body));
  return json(status, body);
}

export async function handleUpstream(ctx: UpstreamContext, request: Request): Promise<Response> {
  const decision = decide(ctx, request, ctx.now());
  if (decision === "hang") return hang(request.signal);
  await sleep(ctx.latencyMs(), request.signal);
  return decision;
}
