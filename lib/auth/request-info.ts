import "server-only";
import { headers } from "next/headers";
import type { RequestInfo } from "../audit";

function fromHeaders(h: Headers): RequestInfo {
  // The first X-Forwarded-For hop is the client as our reverse proxy (or Next itself) saw it.
  const forwarded = h.get("x-forwarded-for")?.split(",")[0]?.trim();
  return { ip: forwarded || h.get("x-real-ip") || null, userAgent: h.get("user-agent") };
}

export function requestInfoOf(request: Request | undefined): RequestInfo | null {
  return request ? fromHeaders(request.headers) : null;
}

/** The current request's client address and user agent (server components and actions). */
export async function currentRequestInfo(): Promise<RequestInfo> {
  return fromHeaders(await headers());
}
