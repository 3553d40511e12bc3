// A real OpenID provider for the end-to-end suite (oidc-provider, the certified Node
// implementation), on 127.0.0.1. Tests choose who signs in: PUT /__test/accounts/<sub> with the
// claims that account gets (email, email_verified or none, name); the provider's own development
// login page then signs in whatever subject is typed as "login".
import { createServer, type Server } from "node:http";

import Provider from "oidc-provider";

export interface TestOidcProvider {
  issuer: string;
  close(): Promise<void>;
}

export interface TestOidcOptions {
  port: number;
  clientId: string;
  clientSecret: string;
  /** The app's OIDC callback URL (Auth.js: <app>/api/auth/callback/oidc). */
  redirectUri: string;
}

const CONTROL = /^\/__test\/accounts\/([A-Za-z0-9._-]{1,100})$/;

export async function startOidcProvider(options: TestOidcOptions): Promise<TestOidcProvider> {
  const issuer = `http://127.0.0.1:${options.port}`;
  // Claims per subject, set by the tests; a subject nobody set signs in with no claims but `sub`.
  const accounts = new Map<string, Record<string, unknown>>();
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    // Put the email claims in the ID token itself (Auth.js reads the profile from it).
    conformIdTokenClaims: false,
    cookies: { keys: ["e2e-oidc-provider-cookie-key-0123456789"] },
    features: { devInteractions: { enabled: true } },
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ ...(accounts.get(id) ?? {}), sub: id }) }),
  });
  // The provider's refusals, in the harness's output: a test that fails at the token exchange says why.
  for (const event of ["grant.error", "authorization.error", "server_error"] as const) {
    (provider as unknown as { on(event: string, listener: (...args: never[]) => void): void }).on(
      event,
      (_ctx: unknown, error: { message?: string; error_description?: string; error_detail?: string }) =>
        console.error(`[oidc-provider] ${event}: ${error.message ?? ""} ${error.error_description ?? ""} ${error.error_detail ?? ""}`),
    );
  }
  const handle = provider.callback();

  const server: Server = createServer((req, res) => {
    const control = CONTROL.exec(req.url ?? "");
    if (!control) return handle(req, res);
    if (req.method !== "PUT") {
      res.writeHead(405).end();
      return;
    }
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      try {
        const claims = JSON.parse(body) as Record<string, unknown>;
        accounts.set(control[1]!, claims);
        res.writeHead(204).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  return {
    issuer,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
