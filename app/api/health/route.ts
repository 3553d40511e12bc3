// Liveness for process managers, the container's orchestrator and the test harness: the process
// answers. It looks at nothing else (no database), so a slow database never gets a live instance
// restarted; /api/ready is the check that looks. Unauthenticated (proxy.ts); says nothing secret.
export const dynamic = "force-dynamic";

export function GET() {
  return Response.json({ ok: true }, { headers: { "cache-control": "no-store" } });
}
