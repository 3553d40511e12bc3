import "server-only";

import { headers } from "next/headers";

import type { RequestInfo } from "../audit";
import { env } from "../env";
import { clientAddress } from "../http/client-address";

// The client address follows TRUSTED_PROXIES (see lib/http/client-address.ts): with the default 0
// it is the TCP peer and X-Forwarded-For, which the client can write, is ignored.
export function requestInfoFromHeaders(h: Pick<Headers, "get">, trustedProxies = env.TRUSTED_PROXIES): RequestInfo {
  return { ip: clientAddress(h, trustedProxies), userAgent: h.get("user-agent") };
}

export function requestInfoOf(request: Request | undefined): RequestInfo | null {
  return request ? requestInfoFromHeaders(request.headers) : null;
}

/** The current request's client address and user agent (server components and actions). */
export async function currentRequestInfo(): Promise<RequestInfo> {
  return requestInfoFromHeaders(await headers());
}
