import type { NextRequest } from "next/server";

import { authJsAcceptsCallbackUrl } from "@/lib/auth/callback-url";
import { handlers } from "@/lib/auth/config";

// A callbackUrl (query or Auth.js's own cookie) that Auth.js cannot parse is refused here with a
// 400: Auth.js itself would take it for a configuration error and answer 500.
function refused(request: NextRequest): Response | null {
  const origin = request.nextUrl.origin;
  const given = [...request.nextUrl.searchParams.getAll("callbackUrl"), ...callbackCookies(request.headers.get("cookie") ?? "")];
  // An empty one Auth.js ignores.
  return given.every((value) => value === "" || authJsAcceptsCallbackUrl(value, origin))
    ? null
    : Response.json({ error: "callbackUrl must be a web address or a path on this site." }, { status: 400 });
}

/** Auth.js's callback-url cookie, read as Auth.js reads it (a value it cannot decode stays raw). */
function callbackCookies(header: string): string[] {
  return header
    .split(/;\s*/)
    .filter((pair) => /^(__Secure-)?authjs\.callback-url=/.test(pair))
    .map((pair) => {
      const value = pair.slice(pair.indexOf("=") + 1);
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    });
}

/**
 * The request as the browser addressed it. Auth.js builds the OIDC redirect_uri of the token
 * request (and its error redirects) from the handler's request URL, while the authorization
 * request, started by signIn() in a server action, built it from the Host / X-Forwarded-* headers
 * (Auth.js's createActionURL): the two must be equal or the provider refuses the code. Next's
 * NextRequest writes a loopback host (127.0.0.1, [::1]) as "localhost", so a site reached at
 * http://127.0.0.1:PORT would send two different redirect_uris: the handler gets a plain Request
 * on the addressed URL instead. (AUTH_URL, when an operator sets it, still wins inside next-auth,
 * which reads nextUrl for it.)
 */
async function asAddressed(request: NextRequest): Promise<NextRequest> {
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  const proto = (request.headers.get("x-forwarded-proto") ?? "http").split(",")[0]!.trim().replace(/:$/, "");
  if (!host || (proto !== "http" && proto !== "https")) return request;
  let url: URL;
  try {
    url = new URL(`${request.nextUrl.pathname}${request.nextUrl.search}`, `${proto}://${host}`);
  } catch {
    return request;
  }
  if (url.href === request.url) return request;
  const body = request.method === "POST" ? await request.arrayBuffer() : undefined;
  const addressed = new Request(url, { method: request.method, headers: request.headers, body });
  return Object.assign(addressed, { nextUrl: request.nextUrl }) as unknown as NextRequest;
}

export const GET = async (raw: NextRequest) => {
  const request = await asAddressed(raw);
  return refused(request) ?? handlers.GET(request);
};
export const POST = async (raw: NextRequest) => {
  const request = await asAddressed(raw);
  return refused(request) ?? handlers.POST(request);
};
