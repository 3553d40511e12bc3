// Liveness for process managers and the test harness: says nothing about any workspace.
export const dynamic = "force-dynamic";

export function GET() {
  return Response.json({ ok: true });
}
