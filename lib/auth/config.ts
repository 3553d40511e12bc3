import "server-only";
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { recordAudit } from "../audit";
import { getDb } from "../db";
import { env } from "../env";
import { verifyPassword } from "../security/password";
import { sameOriginPath } from "./callback-url";
import { oidcProviders, admitOidcUser } from "./oidc";
import { requestInfoOf } from "./request-info";
import { createSession, deleteSession, resolveSession, SESSION_MAX_AGE_S } from "./sessions";
import { clearSignInFailures, recordSignInFailure, signInBlockedFor } from "./throttle";
import { findCredentials, findUserByEmail, normaliseEmail, type AppUser } from "./users";

export class ThrottledSignin extends CredentialsSignin {
  override code = "throttled";
}

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

// Auth.js takes its base URL (redirects, callback URLs, whether its cookies are the Secure kind)
// from AUTH_URL, in the route handler, proxy.ts and server components alike. Behind a TLS proxy
// that talks plain HTTP to the app that must be PUBLIC_URL, not the address the request came in on.
if (env.PUBLIC_URL) process.env.AUTH_URL = new URL(env.PUBLIC_URL).origin;

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
        if (!parsed.success) return null;
        const db = await getDb();
        const email = normaliseEmail(parsed.data.email);
        const info = requestInfoOf(request);
        if ((await signInBlockedFor(db, email, info?.ip ?? null)) > 0) {
          await recordAudit(db, { actor: { id: null, email }, action: "auth.sign_in_throttled", request: info });
          throw new ThrottledSignin();
        }
        const found = await findCredentials(db, email);
        const ok = await verifyPassword(parsed.data.password, found?.passwordHash ?? null);
        if (!found || !ok || found.user.disabled) {
          await recordSignInFailure(db, email, info?.ip ?? null);
          await recordAudit(db, {
            actor: { id: found?.user.id ?? null, email },
            action: "auth.sign_in_failed",
            detail: { reason: !found ? "unknown_email" : found.user.disabled ? "disabled" : "wrong_password" },
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
      console.error(`[auth] ${"type" in error ? String(error.type) : "error"}`);
    },
    warn(code) {
      console.warn(`[auth] warning ${code}`);
    },
    debug() {},
  },
};

export const { handlers, auth, signIn, signOut } = NextAuth(config);
