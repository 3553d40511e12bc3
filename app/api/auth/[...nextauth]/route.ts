import type { NextRequest } from "next/server";
import { authJsAcceptsCallbackUrl } from "@/lib/auth/callback-url";
import { handlers } from "@/lib/auth/config";

// A callbackUrl (query or Auth.js's own cookie) that Auth.js cannot parse is refused here with a
// 400: Auth.js itself would take it for a configuration error and answer 500.
function refused(request: NextRequest): Response | null {
  const origin = request.nextUrl.origin;
  const given = [
    ...request.nextUrl.searchParams.getAll("callbackUrl"),
    ...callbackCookies(request.headers.get("cookie") ?? ""),
  ];
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

export const GET = (request: NextRequest) => refused(request) ?? handlers.GET(request);
export const POST = (request: NextRequest) => refused(request) ?? handlers.POST(request);
