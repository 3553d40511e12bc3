import "server-only";

import type { z } from "zod";

import { declareAccess } from "../auth/declared-access";
import { currentUser, visibleWorkspace } from "../auth/guards";
import { can, scopeOf, type Permission, type WorkspacePermission } from "../auth/permissions";
import type { AppUser } from "../auth/users";
import { upstreamErrorResponse } from "../batches/api-errors";
import { isTrilletError } from "../trillet/errors";
import type { Workspace } from "../workspaces";
import { fieldsOf } from "./fields";
import { decodeSegment } from "./segments";

// The one way a route handler is built: who is asking (401), the workspace in the path (404 when
// they cannot see it, as if it did not exist), the permission from lib/auth/permissions.ts (403),
// the path segments read one way and the path and query validated (400 with the schema's
// message), typed upstream failures mapped to their status, and never stored by a browser or proxy.

const NO_STORE = "private, no-store";

interface RouteOptions<P extends Permission, Params extends z.ZodType, Query extends z.ZodType> {
  permission: P;
  /** The path's dynamic segments (besides [workspace], which this wrapper checks). */
  params?: Params;
  /** The query string: a key given once is a string, a repeated key an array. */
  query?: Query;
}

export interface RouteContext<P extends Permission, Params, Query> {
  request: Request;
  user: AppUser;
  /** The workspace of the path; only for a workspace permission. */
  workspace: P extends WorkspacePermission ? Workspace : null;
  params: Params;
  query: Query;
}

type RawParams = Record<string, string | string[] | undefined>;

export const jsonError = (status: number, error: string, headers?: HeadersInit) =>
  Response.json({ error }, { status, headers: { ...headers, "cache-control": NO_STORE } });

export const ACCESS_DENIED = {
  signedOut: "Sign in to continue.",
  noWorkspace: "No such workspace, or no access to it.",
  forbidden: "You do not have permission to do this.",
} as const;

export function withRoute<P extends Permission, Params extends z.ZodType = z.ZodUndefined, Query extends z.ZodType = z.ZodUndefined>(
  options: RouteOptions<P, Params, Query>,
  handler: (context: RouteContext<P, z.output<Params>, z.output<Query>>) => Promise<Response>,
): (request: Request, context: { params: Promise<RawParams> }) => Promise<Response> {
  const route = async (request: Request, context: { params: Promise<RawParams> }): Promise<Response> => {
    const user = await currentUser();
    if (!user) return jsonError(401, ACCESS_DENIED.signedOut);
    const raw = await context.params;

    let workspace: Workspace | null = null;
    if (scopeOf(options.permission) === "workspace") {
      const slug = raw.workspace;
      workspace = typeof slug === "string" ? await visibleWorkspace(user, slug) : null;
      if (!workspace) return jsonError(404, ACCESS_DENIED.noWorkspace);
    }
    if (!can(user, options.permission, workspace?.grants)) return jsonError(403, ACCESS_DENIED.forbidden);

    const decoded: Record<string, string | undefined> = {};
    for (const [key, value] of Object.entries(raw)) {
      if (key !== "workspace" && typeof value === "string") decoded[key] = decodeSegment(value, "route") ?? undefined;
    }
    const params = options.params ? options.params.safeParse(decoded) : { success: true as const, data: undefined };
    if (!params.success) return jsonError(400, firstMessage(params.error));
    const query = options.query
      ? options.query.safeParse(fieldsOf(new URL(request.url).searchParams))
      : { success: true as const, data: undefined };
    if (!query.success) return jsonError(400, firstMessage(query.error));

    let response: Response;
    try {
      response = await handler({
        request,
        user,
        workspace: workspace as RouteContext<P, unknown, unknown>["workspace"],
        params: params.data as z.output<Params>,
        query: query.data as z.output<Query>,
      });
    } catch (error) {
      if (!isTrilletError(error)) throw error;
      response = upstreamErrorResponse(error);
    }
    return noStore(response);
  };
  return declareAccess(route, { kind: "route", permission: options.permission, fresh: false });
}

function firstMessage(error: z.ZodError): string {
  return error.issues[0]?.message ?? "The request is not valid.";
}

function noStore(response: Response): Response {
  if (response.headers.get("cache-control")?.includes("no-store")) return response;
  try {
    response.headers.set("cache-control", NO_STORE);
    return response;
  } catch {
    // Immutable headers (a proxied response): copy them.
    const headers = new Headers(response.headers);
    headers.set("cache-control", NO_STORE);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }
}
