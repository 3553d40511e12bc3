import "server-only";

import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import { getToken } from "next-auth/jwt";
import Credentials from "next-auth/providers/credentials";
import { cookies } from "next/headers";
import { z } from "zod";

import { recordAudit } from "../audit";
import { getDb } from "../db";
import { env } from "../env";
import { logger } from "../log";
import { sameOriginPath } from "./callback-url";
import { admitOidcUser, findUserByIdentity, oidcIdentityOf, oidcProviders } from "./oidc";
import { checkPasswordSignIn } from "./password-check";
import { currentRequestInfo, requestInfoOf } from "./request-info";
import { createSession, deleteSession, resolveSession, SESSION_MAX_AGE_S, takeOidcLinkRequest } from "./sessions";
import { noteSignInFailed, noteSignInThrottled } from "./sign-in-events";
import { findUserById, normaliseEmail, type AppUser } from "./users";

export class ThrottledSignin extends CredentialsSignin {
  override code = "throttled";
}

// Auth.js error types a client's request causes (see @auth/core/errors).
const CLIENT_ERRORS = new Set(["UnknownAction", "MissingCSRF", "InvalidCheck", "InvalidCallbackUrl", "UntrustedHost"]);

const credentialsInput = z.object({ email: z.string().trim().min(3).max(320), password: z.string().min(1).max(1024) });

declare module "next-auth" {
  interface Session {
    user: AppUser & { email: string };
  }
  interface User {
    sessionId?: string;
  }
}

// Auth.js takes its base URL from AUTH_URL, which lib/env.ts sets from PUBLIC_URL (see there).
const SECRET = env.AUTH_SECRET ?? "batchboard-development-only-auth-secret-000";
// In production the cookies are Secure (and __Secure-/__Host- prefixed) whatever the request
// looks like: behind a TLS proxy the app itself is reached over plain http, and Auth.js would
// otherwise take that for a plain-http site. (Browsers accept Secure cookies from
// http://localhost and 127.0.0.1, so a local production build still signs in.)
const SECURE_COOKIES = env.NODE_ENV === "production";
const SESSION_COOKIE = `${SECURE_COOKIES ? "__Secure-" : ""}authjs.session-token`;

/**
 * The session row this browser's cookie names, read from the encrypted cookie itself; null when
 * signed out or the cookie is not ours. Not a check that the session is live: callers use auth()
 * for that. (Server components, actions and Auth.js callbacks, all inside a request.)
 */
export async function browserSessionId(): Promise<string | null> {
  const cookie = (await cookies()).toString();
  if (!cookie) return null;
  const token = await sessionToken(cookie);
  return typeof token?.sid === "string" ? token.sid : null;
}

/** The decoded session cookie (encrypted with AUTH_SECRET, so only ours decode), or null. */
function sessionToken(cookie: string) {
  return getToken({
    req: { headers: { cookie } },
    secret: SECRET,
    secureCookie: SECURE_COOKIES,
    cookieName: SESSION_COOKIE,
    salt: SESSION_COOKIE,
  });
}

/** Why a browser's session cookie no longer signs it in, when the reason is one it may be told. */
export type SignedOutReason = "disabled";

/**
 * For a request that was refused its session: "disabled" when the cookie (encrypted with
 * AUTH_SECRET, so it can only be this browser's own) names a user who is now disabled; null
 * otherwise (signed out, expired, unknown). Only the cookie owner's own state is looked at.
 */
export async function signedOutReason(cookie: string | null): Promise<SignedOutReason | null> {
  if (!cookie) return null;
  const token = await sessionToken(cookie).catch(() => null);
  if (typeof token?.sub !== "string" || !/^[0-9a-f-]{36}$/i.test(token.sub)) return null;
  const user = await findUserById(await getDb(), token.sub);
  return user?.disabled ? "disabled" : null;
}

const config: NextAuthConfig = {
  secret: SECRET,
  trustHost: true,
  useSecureCookies: SECURE_COOKIES,
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
  pages: { signIn: "/login", error: "/login" },
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(raw, request) {
        const parsed = credentialsInput.safeParse(raw);
        if (!parsed.success) {
          noteSignInFailed(null, requestInfoOf(request)?.ip ?? null, "invalid_input");
          return null;
        }
        const db = await getDb();
        const info = requestInfoOf(request);
        // Throttled before scrypt runs, audited, an old-parameter hash rehashed (lib/auth/password-check.ts).
        const result = await checkPasswordSignIn(db, parsed.data.email, parsed.data.password, info);
        if (result.outcome === "throttled") {
          noteSignInThrottled(normaliseEmail(parsed.data.email), info?.ip ?? null);
          throw new ThrottledSignin();
        }
        if (result.outcome !== "ok") {
          noteSignInFailed(normaliseEmail(parsed.data.email), info?.ip ?? null, result.reason);
          return null;
        }
        // The session and its audit entry commit together: no sign-in goes unaudited.
        const sessionId = await db.transaction(async (tx) => {
          const id = await createSession(tx, result.user.id, info);
          await recordAudit(tx, { actor: result.user, action: "auth.sign_in", detail: { method: "password" }, request: info });
          return id;
        });
        return { id: result.user.id, email: result.user.email, name: result.user.name, sessionId };
      },
    }),
    ...oidcProviders(),
  ],
  callbacks: {
    // OIDC: who may sign in, and as whom (lib/auth/oidc.ts). A refusal goes back to the page that
    // started it with a reason the page explains: the sign-in page, or the account page for a link.
    async signIn({ account, profile }) {
      if (account?.type !== "oidc") return true;
      const db = await getDb();
      const browserSid = await browserSessionId();
      const linkTo = browserSid ? await takeOidcLinkRequest(db, browserSid) : null;
      const outcome = await admitOidcUser(db, oidcIdentityOf(profile, account), { linkTo, request: await currentRequestInfo() });
      if (outcome.ok) return true;
      return linkTo ? `/account?oidc=${outcome.reason}` : `/login?error=oidc_${outcome.reason}`;
    },
    async jwt({ token, user, account, profile }) {
      const db = await getDb();
      if (user) {
        let sessionId = user.sessionId;
        if (!sessionId && account?.type === "oidc") {
          // signIn() above admitted (and linked) this identity: the user is found by it, not by email.
          const identity = oidcIdentityOf(profile, account);
          const found = identity ? await findUserByIdentity(db, identity.issuer, identity.subject) : null;
          if (!found || found.disabled) return null;
          const info = await currentRequestInfo();
          sessionId = await db.transaction(async (tx) => {
            const id = await createSession(tx, found.id, info);
            await recordAudit(tx, { actor: found, action: "auth.sign_in", detail: { method: "oidc" }, request: info });
            return id;
          });
        }
        if (!sessionId) return null;
        // A browser signing in again (a link, a confirmation with OIDC) leaves no orphan session row.
        const previous = await browserSessionId().catch(() => null);
        if (previous && previous !== sessionId) await deleteSession(db, previous);
        token.sid = sessionId;
      }
      // Every request re-checks the session row: revoked, expired or disabled ends it right here.
      const current = typeof token.sid === "string" ? await resolveSession(db, token.sid) : null;
      if (!current) return null;
      token.user = current;
      token.sub = current.id;
      return token;
    },
    // The session row's id stays inside the encrypted cookie (A256CBC-HS512 JWE, keyed by
    // AUTH_SECRET), which no script can read: it is left out of the session object, which
    // /api/auth/session hands to any script on the page. Server code that needs it reads the
    // cookie (browserSessionId). The row id alone is not enough to forge a cookie, but it is a
    // bearer reference to a live session and nothing in the browser needs it.
    session({ session, token }) {
      const user = token.user as AppUser;
      return { ...session, user: { ...session.user, ...user } };
    },
    // Auth.js redirects (after sign-in or sign-out) stay on this origin.
    redirect({ url, baseUrl }) {
      return `${baseUrl}${sameOriginPath(url.startsWith(baseUrl) ? url.slice(baseUrl.length) || "/" : url)}`;
    },
  },
  events: {
    async signOut(message) {
      const token = "token" in message ? message.token : null;
      if (typeof token?.sid === "string") await deleteSession(await getDb(), token.sid);
    },
  },
  logger: {
    // Auth.js logs whole error objects; keep to the error's name so nothing submitted is logged.
    error(error) {
      // `type` survives minification ("CredentialsSignin"); class names do not.
      const type = "type" in error ? String(error.type) : "error";
      // A refused password is routine (signin.failed and signin.throttled say why), and a request
      // Auth.js cannot read (an unknown action, a missing CSRF token) is the client's: not errors.
      const level = type === "CredentialsSignin" ? "debug" : CLIENT_ERRORS.has(type) ? "info" : "error";
      // A callback's failure carries what went wrong underneath (the provider refused the code, a
      // check failed): its class and first line, which name no secret, so an operator can act.
      const cause = (error as { cause?: { err?: unknown } }).cause?.err;
      const reason = cause instanceof Error ? `${cause.name}: ${cause.message.split("\n")[0]!.slice(0, 200)}` : undefined;
      logger()[level]({ event: "auth.error", type, ...(reason ? { reason } : {}) }, "Auth.js error");
    },
    warn(code) {
      logger().warn({ event: "auth.warning", code }, "Auth.js warning");
    },
    debug() {},
  },
};

export const { handlers, auth, signIn, signOut } = NextAuth(config);
