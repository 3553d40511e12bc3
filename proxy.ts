import { NextResponse, type NextRequest } from "next/server";

import { auth, signedOutReason } from "@/lib/auth/config";
import { contentSecurityPolicy } from "@/lib/security/csp";

// First layer of access control (every page and handler checks again): a signed-out visitor is
// sent to /login carrying the exact path and query asked for; an API call gets a 401. Also sets
// the per-request CSP nonce.

const PUBLIC = [
  /^\/login$/,
  /^\/setup$/,
  /^\/invite\/[^/]+$/,
  /^\/api\/auth(\/|$)/,
  /^\/api\/health$/,
  /^\/api\/ready$/,
  /^\/api\/metrics$/,
];

export default auth(async (request) => {
  const nonce = btoa(crypto.randomUUID());
  const csp = contentSecurityPolicy(nonce);
  const { pathname, search } = request.nextUrl;

  // A path with a malformed escape (%E0, a lone %) names nothing; past here Next fails to decode
  // its dynamic segments and answers a bare 500. Refused first, whoever asks.
  if (!wellFormedPath(pathname)) {
    return withCsp(
      pathname.startsWith("/api/")
        ? NextResponse.json({ error: "The address has a malformed %-escape." }, { status: 400 })
        : new NextResponse(MALFORMED_PAGE, { status: 400, headers: { "content-type": "text/html; charset=utf-8" } }),
      csp,
    );
  }

  if (!request.auth && !PUBLIC.some((p) => p.test(pathname))) {
    if (pathname.startsWith("/api/")) {
      return withCsp(NextResponse.json({ error: "Sign in to continue." }, { status: 401 }), csp);
    }
    const login = new URL("/login", request.nextUrl.origin);
    login.searchParams.set("callbackUrl", `${pathname}${search}`);
    // A session ended because an admin disabled the account: the sign-in page says so (a reason
    // code about this browser's own account, never anyone else's).
    if ((await signedOutReason(request.headers.get("cookie"))) === "disabled") login.searchParams.set("reason", "disabled");
    return withCsp(NextResponse.redirect(login), csp);
  }

  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", csp);
  return withCsp(NextResponse.next({ request: { headers } }), csp);
}) as (request: NextRequest) => Promise<Response>;

function wellFormedPath(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

const MALFORMED_PAGE =
  '<!doctype html><html lang="en"><meta charset="utf-8"><title>Malformed link · Batchboard</title>' +
  '<h1>This link is malformed</h1><p>Part of the address could not be read. Check the link you were given, or <a href="/">go to Batchboard</a>.</p></html>';

function withCsp(response: NextResponse, csp: string) {
  response.headers.set("content-security-policy", csp);
  return response;
}

export const config = {
  // Static files a browser asks for before anyone signs in (public/) skip the proxy.
  matcher: [
    "/((?!_next/static|_next/image|favicon.ico|icon.svg|icon-192.png|icon-512.png|apple-touch-icon.png|manifest.webmanifest|robots.txt).*)",
  ],
};
