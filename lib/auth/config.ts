import "server-only";
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { recordAudit } from "../audit";
import { getDb } from "../db";
import { env } from "../env";
import { logger } from "../log";
import { verifyPassword } from "../security/password";
import { sameOriginPath } from "./callback-url";
import { oidcProviders, admitOidcUser } from "./oidc";
import { noteSignInFailed, noteSignInThrottled } from "./sign-in-events";
import { requestInfoOf } from "./request-info";
import { createSession, deleteSession, resolveSession, SESSION_MAX_AGE_S } from "./sessions";
import { clearSignInFailures, recordSignInFailure, signInBlockedFor } from "./throttle";
import { findCredentials, findUserByEmail, normaliseEmail, type AppUser } from "./users";

export class ThrottledSignin extends CredentialsSignin {
  override code = "throttled";
}

// Auth.js error types a client's request causes (see @auth/core/errors).
const CLIENT_ERRORS = new Set(["UnknownAction", "MissingCSRF", "InvalidCheck", "InvalidCallbackUrl", "UntrustedHost"]);

const credentialsInput = z.object({ email: z.string().trim().min(3).max(320), password: z.string().min(1).max(1024) });

declare module "next-auth" {
  interface Session {
    user: AppUser & { email: string };
    sid: string;
  }
  interface User {
    sessionId?: string;
  }
}

const config: NextAuthConfig = {
  secret: env.AUTH_SECRET ?? "batchboard-development-only-auth-secret-000",
  trustHost: true,
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
        const email = normaliseEmail(parsed.data.email);
        const info = requestInfoOf(request);
        if ((await signInBlockedFor(db, email, info?.ip ?? null)) > 0) {
          await recordAudit(db, { actor: { id: null, email }, action: "auth.sign_in_throttled", request: info });
          noteSignInThrottled(email, info?.ip ?? null);
          throw new ThrottledSignin();
        }
        const found = await findCredentials(db, email);
        const ok = await verifyPassword(parsed.data.password, found?.passwordHash ?? null);
        if (!found || !ok || found.user.disabled) {
          await recordSignInFailure(db, email, info?.ip ?? null);
          const reason = !found ? "unknown_email" : found.user.disabled ? "disabled" : "wrong_password";
          noteSignInFailed(email, info?.ip ?? null, reason);
          await recordAudit(db, {
            actor: { id: found?.user.id ?? null, email },
            action: "auth.sign_in_failed",
            detail: { reason },
            request: info,
          });
          return null;
        }
        await clearSignInFailures(db, email);
        const sessionId = await createSession(db, found.user.id, info);
        await recordAudit(db, { actor: found.user, action: "auth.sign_in", detail: { method: "password" }, request: info });
        return { id: found.user.id, email: found.user.email, name: found.user.name, sessionId };
      },
    }),
    ...oidcProviders(),
  ],
  callbacks: {
    async signIn({ account, profile }) {
      if (account?.type !== "oidc") return true;
      return admitOidcUser(await getDb(), profile);
    },
    async jwt({ token, user, account }) {
      const db = await getDb();
      if (user) {
        let sessionId = user.sessionId;
        if (!sessionId && account?.type === "oidc" && user.email) {
          const found = await findUserByEmail(db, user.email);
          if (!found || found.disabled) return null;
          sessionId = await createSession(db, found.id, null);
          await recordAudit(db, { actor: found, action: "auth.sign_in", detail: { method: "oidc" } });
        }
        if (!sessionId) return null;
        token.sid = sessionId;
      }
      // Every request re-checks the session row: revoked, expired or disabled ends it right here.
      const current = typeof token.sid === "string" ? await resolveSession(db, token.sid) : null;
      if (!current) return null;
      token.user = current;
      token.sub = current.id;
      return token;
    },
    session({ session, token }) {
      const user = token.user as AppUser;
      return { ...session, user: { ...session.user, ...user }, sid: token.sid as string };
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
      logger()[level]({ event: "auth.error", type }, "Auth.js error");
    },
    warn(code) {
      logger().warn({ event: "auth.warning", code }, "Auth.js warning");
    },
    debug() {},
  },
};

export const { handlers, auth, signIn, signOut } = NextAuth(config);
