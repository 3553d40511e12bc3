import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { addWorkspace, editWorkspace, testWorkspaceConnection } from "@/app/settings/workspaces/actions";
import { listAudit } from "@/lib/audit";
import { createUser, type AppUser } from "@/lib/auth/users";
import type { Database } from "@/lib/db";
import { listWorkspaceSettings } from "@/lib/workspaces";

import { openTestDatabase } from "../support/db";
import { startTestSandbox, TEST_KEY, TEST_WORKSPACE, type RunningSandbox } from "../support/sandbox";

// The workspaces page's server actions against a real database and the Trillet sandbox, with the
// session and request stubbed. The credentials must never come back out of an action or the log.
const request = vi.hoisted(() => ({
  admin: null as AppUser | null,
  headers: new Headers({ host: "board.example.com", "x-forwarded-for": "203.0.113.9" }),
}));
vi.mock("@/lib/auth/guards", () => ({ currentUser: async () => request.admin }));
// The recent-sign-in rule for admin changes is tested by the access sweep and the members tests.
vi.mock("@/lib/auth/fresh-sign-in", () => ({ requireFreshSignIn: async () => {} }));
vi.mock("next/headers", () => ({ headers: async () => request.headers }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.append(key, value);
  return data;
};

let handle: Awaited<ReturnType<typeof openTestDatabase>>;
let db: Database;
let sb: RunningSandbox;
beforeAll(async () => {
  handle = await openTestDatabase();
  db = handle.db;
  sb = await startTestSandbox();
  request.admin = await createUser(db, { email: "admin@example.com", role: "admin" });
});
afterAll(async () => {
  await handle.dispose();
  await sb.close();
});

const settingsOf = async (slug: string) => (await listWorkspaceSettings(db)).find((w) => w.slug === slug)!;
const test = async (id: string) => testWorkspaceConnection(null, form({ workspaceId: id }));

describe("workspaces settings actions", () => {
  it("adds a workspace without ever answering or recording its secrets", async () => {
    const result = await addWorkspace(
      null,
      form({ name: "Acme", slug: "Acme", baseUrl: `${sb.url}/`, trilletWorkspaceId: TEST_WORKSPACE, apiKey: TEST_KEY }),
    );
    expect(result).toMatchObject({ ok: true });
    expect(JSON.stringify(result)).not.toContain(TEST_KEY);
    expect(await settingsOf("acme")).toMatchObject({ name: "Acme", baseUrl: sb.url, apiKeyLast4: TEST_KEY.slice(-4) });
    expect((await listAudit(db, 1, 1)).rows[0]).toMatchObject({
      action: "workspace.created",
      target: "acme",
      detail: { name: "Acme", baseUrl: sb.url },
    });
  });

  it("answers a duplicate slug with a message", async () => {
    const result = await addWorkspace(
      null,
      form({ name: "Other", slug: "acme", baseUrl: sb.url, trilletWorkspaceId: "ws_other", apiKey: "sk_other_00000000" }),
    );
    expect(result).toEqual({ ok: false, error: "That slug is taken." });
  });

  it("requires both secrets on add, and words errors without echoing them", async () => {
    const result = await addWorkspace(
      null,
      form({ name: "Beta", slug: "beta", baseUrl: sb.url, trilletWorkspaceId: "", apiKey: "sk has spaces" }),
    );
    expect(result).toMatchObject({ ok: false });
    expect(JSON.stringify(result)).not.toContain("sk has spaces");
  });

  it("keeps the stored credentials when the secret fields are left blank", async () => {
    const { id } = await settingsOf("acme");
    const result = await editWorkspace(
      null,
      form({ workspaceId: id, name: "Acme Inc", slug: "acme", baseUrl: sb.url, trilletWorkspaceId: "", apiKey: "" }),
    );
    expect(result).toMatchObject({ ok: true });
    expect(await settingsOf("acme")).toMatchObject({ name: "Acme Inc", apiKeyLast4: TEST_KEY.slice(-4) });
    expect((await listAudit(db, 1, 1)).rows[0]).toMatchObject({
      action: "workspace.updated",
      detail: { apiKeyReplaced: false, trilletWorkspaceIdReplaced: false },
    });
    expect(await test(id)).toMatchObject({ ok: true, data: { verdict: "valid" } });
  });

  it("keeps a default agent for retry batches, and clears it when emptied", async () => {
    const { id } = await settingsOf("acme");
    const base = { workspaceId: id, name: "Acme Inc", slug: "acme", baseUrl: sb.url, trilletWorkspaceId: "", apiKey: "" };
    expect(await editWorkspace(null, form({ ...base, defaultAgentId: "  agent_42 " }))).toMatchObject({ ok: true });
    expect((await settingsOf("acme")).defaultAgentId).toBe("agent_42");
    expect((await listAudit(db, 1, 1)).rows[0]).toMatchObject({ action: "workspace.updated", detail: { defaultAgentId: "agent_42" } });
    expect(await editWorkspace(null, form({ ...base, defaultAgentId: "x".repeat(201) }))).toMatchObject({
      ok: false,
      error: expect.stringContaining("200"),
    });
    expect(await editWorkspace(null, form({ ...base, defaultAgentId: "" }))).toMatchObject({ ok: true });
    expect((await settingsOf("acme")).defaultAgentId).toBeNull();
  });

  it("will not send the stored key to a new base URL", async () => {
    const { id } = await settingsOf("acme");
    const result = await editWorkspace(
      null,
      form({
        workspaceId: id,
        name: "Acme Inc",
        slug: "acme",
        baseUrl: "https://elsewhere.example.com",
        trilletWorkspaceId: "",
        apiKey: "",
      }),
    );
    expect(result).toEqual({ ok: false, error: "Enter the API key again to change the base URL." });
    expect((await settingsOf("acme")).baseUrl).toBe(sb.url);
  });

  it("tests the connection and records the verdict", async () => {
    const { id } = await settingsOf("acme");
    await editWorkspace(
      null,
      form({ workspaceId: id, name: "Acme Inc", slug: "acme", baseUrl: sb.url, trilletWorkspaceId: "", apiKey: "sk_wrong_key_0000" }),
    );
    expect(await test(id)).toMatchObject({ ok: true, data: { verdict: "rejected" } });
    expect((await listAudit(db, 1, 1)).rows[0]).toMatchObject({
      action: "workspace.tested",
      target: "acme",
      detail: { verdict: "rejected" },
    });
    expect(await test(crypto.randomUUID())).toMatchObject({ ok: false });
  });

  it("never writes a secret into the audit log", async () => {
    const all = JSON.stringify((await listAudit(db, 1, 1_000)).rows);
    for (const secret of [TEST_KEY, TEST_WORKSPACE, "sk_wrong_key_0000", "sk_other_00000000"]) expect(all).not.toContain(secret);
  });
});
