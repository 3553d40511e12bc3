import { readiness } from "@/lib/readiness";

// Readiness for a load balancer and the container's HEALTHCHECK: 200 when this instance can serve
// (database reachable, migrations applied, mirror worker running), otherwise 503 naming the
// failed check; 503 from the moment a shutdown signal arrives, so traffic drains away first.
// Unauthenticated (proxy.ts); the answer holds check names and states only, never an error text.
export const dynamic = "force-dynamic";

export async function GET() {
  const report = await readiness();
  return Response.json(report, { status: report.ready ? 200 : 503, headers: { "cache-control": "no-store" } });
}
