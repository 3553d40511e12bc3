import "server-only";
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { recordAudit } from "../audit";
import { getDb } from "../db";
import { env } from "../env";
import { sameOriginPath } from "./callback-url";
import { oidcProviders, admitOidcUser } from "./oidc";
import { requestInfoOf } from "./request-info";
import { createSession, deleteSession, resolveSession, SESSION_MAX_AGE_S } from "./sessions";
import { checkPasswordSignIn } from "./password-check";
import { findUserByEmail, type AppUser } from "./users";

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
        const info = requestInfoOf(request);
        // Throttled before scrypt runs, audited, an old-parameter hash rehashed (lib/auth/password-check.ts).
        const result = await checkPasswordSignIn(db, parsed.data.email, parsed.data.password, info);
        if (result.outcome === "throttled") throw new ThrottledSignin();
        if (result.outcome !== "ok") return null;
        const sessionId = await createSession(db, result.user.id, info);
        await recordAudit(db, { actor: result.user, action: "auth.sign_in", detail: { method: "password" }, request: info });
        return { id: result.user.id, email: result.user.email, name: result.user.name, sessionId };
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
