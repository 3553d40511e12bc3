import "server-only";

import { z } from "zod";

import { decodeSegment } from "../http/segments";
import { faultRulesSchema } from "./faults";
import { json } from "./http";
import type { Sandbox } from "./types";

// Test-only routes that steer a running sandbox from another process (e2e tests, demos).
// They are mounted only when `control` is on, and need `x-sandbox-control: 1` as a guard
// against a browser or a stray client tripping them by accident.

export const CONTROL_PREFIX = "/__sandbox";

const faultsBody = z.strictObject({ rules: faultRulesSchema });

const configBody = z.strictObject({
  rateLimitPerMinute: z.number().int().min(0).optional(),
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  liveSpeed: z.number().min(0).max(100_000).optional(),
  restartLive: z.union([z.boolean(), z.number().min(0)]).optional(),
  uploadFailRate: z.number().min(0).max(1).optional(),
});

const batchBody = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/),
  size: z.number().int().min(0).max(100_000),
  failRate: z.number().min(0).max(1).optional(),
});

export function isControlPath(pathname: string): boolean {
  return pathname === CONTROL_PREFIX || pathname.startsWith(`${CONTROL_PREFIX}/`);
}

async function readJson<T>(request: Request, schema: z.ZodType<T>): Promise<{ data: T } | { error: Response }> {
  let raw: unknown;
  try {
    raw = await request.json();
  } catch {
    return { error: json(400, { error: "Body must be JSON" }) };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { error: json(400, { error: z.prettifyError(parsed.error) }) };
  return { data: parsed.data };
}

export async function handleControl(sandbox: Sandbox, request: Request, pathname: string): Promise<Response> {
  if (request.headers.get("x-sandbox-control") !== "1") {
    return json(403, { error: "Control routes need the header x-sandbox-control: 1" });
  }
  const route = `${request.method} ${pathname.slice(CONTROL_PREFIX.length)}`;
  switch (route) {
    case "POST /faults": {
      const body = await readJson(request, faultsBody);
      if ("error" in body) return body.error;
      sandbox.setFaults(body.data.rules);
      return json(200, { rules: body.data.rules });
    }
    case "DELETE /faults":
      sandbox.setFaults([]);
      return json(200, { rules: [] });
    case "POST /config": {
      const body = await readJson(request, configBody);
      if ("error" in body) return body.error;
      const { rateLimitPerMinute, latencyMs, liveSpeed, restartLive, uploadFailRate } = body.data;
      if (uploadFailRate !== undefined) sandbox.setUploadFailRate(uploadFailRate);
      if (rateLimitPerMinute !== undefined) sandbox.setRateLimit(rateLimitPerMinute);
      if (latencyMs !== undefined) sandbox.setLatency(latencyMs);
      if (liveSpeed !== undefined) sandbox.setLiveSpeed(liveSpeed);
      if (restartLive === true) sandbox.restartLive();
      else if (typeof restartLive === "number") sandbox.restartLive(restartLive);
      return json(200, { ok: true });
    }
    case "POST /batches": {
      // A batch nobody has opened yet, for tests of first-open links.
      const body = await readJson(request, batchBody);
      if ("error" in body) return body.error;
      const { id, size, failRate } = body.data;
      if (!sandbox.addFinishedBatch(id, size, failRate)) return json(409, { error: "A batch with this id exists" });
      return json(201, { id, summary: sandbox.summary(id) });
    }
    case "GET /created":
      // What each POST /batch-calls carried, so a test can compare it field by field.
      return json(200, { batches: sandbox.created() });
    case "GET /stats":
      return json(200, sandbox.stats());
    case "POST /stats/reset":
      sandbox.resetStats();
      return json(200, { ok: true });
  }
  const truth = /^GET \/truth\/([^/]+)$/.exec(route);
  if (truth?.[1] !== undefined) {
    const batchId = decodeSegment(truth[1], "page");
    if (batchId === null) return json(404, { error: "Batch not found" });
    const calls = sandbox.truth(batchId);
    if (!calls) return json(404, { error: "Batch not found" });
    // Counted from the same list (not a second clock reading), so the two always agree.
    const summary = { total: calls.length, waiting: 0, active: 0, completed: 0, failed: 0 };
    for (const call of calls) summary[call.status]++;
    return json(200, { calls, summary });
  }
  return json(404, { error: "Not found" });
}
