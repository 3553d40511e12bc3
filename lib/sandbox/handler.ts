import "server-only";

import { decodeSegment } from "../http/segments";
import type { Catalogue } from "./batches";
import { burstRateLimited, drift, hang, malformed, serverError } from "./fault-responses";
import type { FaultInjector } from "./faults";
import { json, rateLimited, sleep } from "./http";
import type { SlidingWindowLimiter } from "./rate-limit";
import type { CreatedBatch, SandboxCredential } from "./types";
import { readBatchUpload } from "./upload";
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
  /** Share of failing calls in batches created by POST. */
  uploadFailRate: () => number;
  /** Told of every batch POST created, for tests that check what Trillet received. */
  onCreated: (created: CreatedBatch) => void;
}

type RouteKind = "calls" | "status" | "flat-status";

interface Route {
  kind: RouteKind;
  batchId: string;
}

const COLLECTION = "/v1/api/batch-calls";
const PREFIX = `${COLLECTION}/`;
const SUB_ROUTES: Record<string, RouteKind> = { calls: "calls", status: "flat-status" };
// GET reads every route; DELETE cancels at the batch's own path; POST starts one at the collection.
const METHODS: Record<RouteKind, readonly string[]> = { calls: ["GET"], status: ["GET", "DELETE"], "flat-status": ["GET"] };

function matchRoute(pathname: string): Route | undefined {
  if (!pathname.startsWith(PREFIX)) return undefined;
  const [rawId, sub, ...rest] = pathname.slice(PREFIX.length).split("/");
  if (!rawId || rest.length > 0) return undefined;
  const kind = sub === undefined ? "status" : SUB_ROUTES[sub];
  if (!kind) return undefined;
  // The path arrives percent-encoded, as a page's segment does: decoded once, by the one decoder.
  const batchId = decodeSegment(rawId, "page");
  return batchId === null ? undefined : { kind, batchId };
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

function cancelResponse(ctx: UpstreamContext, batchId: string, now: number): Response {
  const outcome = ctx.catalogue.cancel(batchId, now);
  if (outcome === undefined) return json(404, { error: "Batch not found", message: "No batch with this id exists in the workspace." });
  if (outcome === "finished" || outcome === "complete") {
    return json(400, { error: "Batch already completed", message: "Only a batch with calls still waiting can be cancelled." });
  }
  // Cancelling twice is not an error: the batch is cancelled either way.
  return json(200, { batchId, status: "cancelled", message: "Batch cancelled: waiting calls will not be made; active calls finish." });
}

async function createResponse(ctx: UpstreamContext, request: Request): Promise<Response> {
  const read = await readBatchUpload(request);
  if ("error" in read) return json(read.status, { error: read.error, message: read.message });
  const { upload } = read;
  const now = ctx.now();
  const batch = ctx.catalogue.addUploaded(
    { rows: upload.rows, startsAt: Math.max(now, upload.scheduledAt ?? now), failRate: ctx.uploadFailRate() },
    now,
  );
  ctx.onCreated({ batchId: batch.id, receivedAt: now, ...upload });
  return json(200, { batchId: batch.id, totalCalls: upload.rows.length, status: "queued", message: "Batch created" });
}

type Decision = Response | "hang" | { write: "create" | "cancel"; batchId?: string; hangAfter: boolean };

/** Synchronous up to the decision, so the state a request sees is the state at its arrival. */
function decide(ctx: UpstreamContext, request: Request, now: number): Decision {
  // Auth comes first: nothing, not even "not found", is revealed without valid credentials.
  const apiKey = authorised(ctx, request);
  if (!apiKey) return json(401, { error: "Unauthorized" });

  const verdict = ctx.limiter.check(apiKey, now);
  if (!verdict.allowed) return rateLimited(verdict.resetAt, now, ctx.retryAfterHeader);

  const url = new URL(request.url);
  const collection = url.pathname === COLLECTION;
  const route = collection ? undefined : matchRoute(url.pathname);
  const allowed = collection ? ["POST"] : route ? METHODS[route.kind] : [];
  if ((!route && !collection) || !allowed.includes(request.method)) {
    ctx.limiter.record(apiKey, now);
    return route || collection
      ? json(405, { error: "Method not allowed" }, { allow: allowed.join(", ") })
      : json(404, { error: "Not found" });
  }

  const fault = ctx.faults.pick(route?.batchId, request.method);
  // A rejected request does not use up the window, whether the 429 is real or injected.
  if (fault?.kind === "429") return burstRateLimited(now, ctx.retryAfterHeader);
  ctx.limiter.record(apiKey, now);
  if (fault?.kind === "5xx") return serverError(fault.serial);
  if (fault?.kind === "401") return json(401, { error: "Unauthorized" });
  // A write that times out is the worst case for a client: the change is made, the answer never comes.
  if (request.method !== "GET") {
    return { write: collection ? "create" : "cancel", batchId: route?.batchId, hangAfter: fault?.kind === "timeout" };
  }
  if (fault?.kind === "timeout" || !route) return "hang";

  const { status, body } = batchResponse(ctx, route, url, now);
  // Shape faults only disturb successful answers; an error stays a well-formed error.
  if (status === 200 && fault?.kind === "malformed") return malformed(body);
  if (status === 200 && fault?.kind === "drift") return json(200, drift(body));
  return json(status, body);
}

export async function handleUpstream(ctx: UpstreamContext, request: Request): Promise<Response> {
  const now = ctx.now();
  const decision = decide(ctx, request, now);
  if (decision === "hang") return hang(request.signal);
  if (decision instanceof Response) {
    await sleep(ctx.latencyMs(), request.signal);
    return decision;
  }
  const response = decision.write === "create" ? await createResponse(ctx, request) : cancelResponse(ctx, decision.batchId ?? "", now);
  if (decision.hangAfter) return hang(request.signal);
  await sleep(ctx.latencyMs(), request.signal);
  return response;
}
