import { metricsResponse } from "@/lib/metrics-scrape";

// Prometheus scrape endpoint (text format). Not behind sign-in (proxy.ts lets it through): it
// answers 404 unless METRICS_TOKEN is set, and 401 unless the request carries that token.
export const dynamic = "force-dynamic";

export function GET(request: Request) {
  return metricsResponse(request);
}
