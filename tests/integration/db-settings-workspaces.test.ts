import { beforeEach, describe, expect, it, vi } from "vitest";

import { addWorkspace, editWorkspace, testWorkspaceConnection } from "@/app/settings/workspaces/actions";
import { listAudit } from "@/lib/audit";
import { listWorkspaceSettings } from "@/lib/workspaces";

import { createAdmin, createSandboxWorkspace } from "../support/factories";
import { db, sb, setUpDatabaseAndSandbox } from "../support/harness";
import { form, signedInAs } from "../support/request";
import { TEST_KEY, TEST_WORKSPACE } from "../support/sandbox";

// The workspaces page's server actions against a real database and the Trillet sandbox, with the
// session and request stubbed. The credentials must never come back out of an action or the log.
vi.mock("@/lib/auth/guards", () => import("../support/request").then((m) => m.guards));
// The recent-sign-in rule for admin changes is tested by the access sweep and the members tests.
vi.mock("@/lib/auth/fresh-sign-in", () => import("../support/request").then((m) => m.freshSignIn));
vi.mock("next/headers", () => import("../support/request").then((m) => m.nextHeaders));
vi.mock("next/cache", () => import("../support/request").then((m) => m.nextCache));

setUpDatabaseAndSandbox();
beforeEach(async () => signedInAs(await createAdmin(db)));

const settingsOf = async (slug: string) => (await listWorkspaceSettings(db)).find((w) => w.slug === slug)!;
const test = async (id: string) => testWorkspaceConnection(null, form({ workspaceId: id }));
/** A workspace on the sandbox with TEST_KEY stored, named "Acme" (each test its own, under its own slug). */
const acme = () => createSandboxWorkspace(db, sb, { name: "Acme" });

describe("workspaces settings actions", () => {
  it("adds a workspace without ever answering or recording its secrets", async () => {
    const result = await addWorkspace(
      null,
      form({ name: "Acme", slug: "Acme-Added", baseUrl: `${sb.url}/`, trilletWorkspaceId: TEST_WORKSPACE, apiKey: TEST_KEY }),
    );
    expect(result).toMatchObject({ ok: true });
    expect(JSON.stringify(result)).not.toContain(TEST_KEY);
    expect(await settingsOf("acme-added")).toMatchObject({ name: "Acme", baseUrl: sb.url, apiKeyLast4: TEST_KEY.slice(-4) });
    expect((await listAudit(db, 1, 1)).rows[0]).toMatchObject({
      action: "workspace.created",
      target: "acme-added",
      detail: { name: "Acme", baseUrl: sb.url },
    });
  });

  it("answers a duplicate slug with a message", async () => {
    const { slug } = await acme();
    const result = await addWorkspace(
      null,
      form({ name: "Other", slug, baseUrl: sb.url, trilletWorkspaceId: "ws_other", apiKey: "sk_other_00000000" }),
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
    const { id, slug } = await acme();
    const result = await editWorkspace(
      null,
      form({ workspaceId: id, name: "Acme Inc", slug, baseUrl: sb.url, trilletWorkspaceId: "", apiKey: "" }),
    );
    expect(result).toMatchObject({ ok: true });
    expect(await settingsOf(slug)).toMatchObject({ name: "Acme Inc", apiKeyLast4: TEST_KEY.slice(-4) });
    expect((await listAudit(db, 1, 1)).rows[0]).toMatchObject({
      action: "workspace.updated",
      detail: { apiKeyReplaced: false, trilletWorkspaceIdReplaced: false },
    });
    expect(await test(id)).toMatchObject({ ok: true, data: { verdict: "valid" } });
  });

  it("keeps a default agent for retry batches, and clears it when emptied", async () => {
    const { id, slug } = await acme();
    const base = { workspaceId: id, name: "Acme Inc", slug, baseUrl: sb.url, trilletWorkspaceId: "", apiKey: "" };
    expect(await editWorkspace(null, form({ ...base, defaultAgentId: "  agent_42 " }))).toMatchObject({ ok: true });
    expect((await settingsOf(slug)).defaultAgentId).toBe("agent_42");
    expect((await listAudit(db, 1, 1)).rows[0]).toMatchObject({ action: "workspace.updated", detail: { defaultAgentId: "agent_42" } });
    expect(await editWorkspace(null, form({ ...base, defaultAgentId: "x".repeat(201) }))).toMatchObject({
      ok: false,
      error: expect.stringContaining("200"),
    });
    expect(await editWorkspace(null, form({ ...base, defaultAgentId: "" }))).toMatchObject({ ok: true });
    expect((await settingsOf(slug)).defaultAgentId).toBeNull();
  });

  it("will not send the stored key to a new base URL", async () => {
    const { id, slug } = await acme();
    const result = await editWorkspace(
      null,
      form({
        workspaceId: id,
        name: "Acme Inc",
        slug,
        baseUrl: "https://elsewhere.example.com",
        trilletWorkspaceId: "",
        apiKey: "",
      }),
    );
    expect(result).toEqual({ ok: false, error: "Enter the API key again to change the base URL." });
    expect((await settingsOf(slug)).baseUrl).toBe(sb.url);
  });

  it("tests the connection and records the verdict", async () => {
    const { id, slug } = await acme();
    await editWorkspace(
      null,
      form({ workspaceId: id, name: "Acme Inc", slug, baseUrl: sb.url, trilletWorkspaceId: "", apiKey: "sk_wrong_key_0000" }),
    );
    expect(await test(id)).toMatchObject({ ok: true, data: { verdict: "rejected" } });
    expect((await listAudit(db, 1, 1)).rows[0]).toMatchObject({
      action: "workspace.tested",
      target: slug,
      detail: { verdict: "rejected" },
    });
    expect(await test(crypto.randomUUID())).toMatchObject({ ok: false });
  });

  it("never writes a secret into the audit log", async () => {
    // Its own events: an add, a refused duplicate, an edit with a wrong key and a test of it.
    const base = { name: "Secrets", baseUrl: sb.url, trilletWorkspaceId: TEST_WORKSPACE, apiKey: TEST_KEY };
    expect(await addWorkspace(null, form({ ...base, slug: "secrets" }))).toMatchObject({ ok: true });
    const { id } = await settingsOf("secrets");
    await addWorkspace(null, form({ ...base, slug: "secrets", trilletWorkspaceId: "ws_other", apiKey: "sk_other_00000000" }));
    await editWorkspace(null, form({ workspaceId: id, ...base, slug: "secrets", trilletWorkspaceId: "", apiKey: "sk_wrong_key_0000" }));
    await test(id);
    const all = JSON.stringify((await listAudit(db, 1, 1_000)).rows);
    for (const secret of [TEST_KEY, TEST_WORKSPACE, "sk_wrong_key_0000", "sk_other_00000000"]) expect(all).not.toContain(secret);
  });
});
