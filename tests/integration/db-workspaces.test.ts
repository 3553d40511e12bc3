import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { listAudit, recordAuditEvent } from "@/lib/audit";
import { open, seal } from "@/lib/security/secret-box";
import {
  findWorkspaceFor,
  listWorkspaceSettings,
  listWorkspacesFor,
  setWorkspaceAccess,
  testConnection,
  updateWorkspace,
} from "@/lib/workspaces";

import { usingPostgres } from "../support/db";
import { createAdmin, createMember, createSandboxWorkspace, createTestWorkspace } from "../support/factories";
import { db, sb, setUpDatabaseAndSandbox } from "../support/harness";
import { TEST_KEY, TEST_WORKSPACE } from "../support/sandbox";

setUpDatabaseAndSandbox();

describe(`workspaces (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("stores both Trillet credentials as ciphertext, showing only the key's last 4", async () => {
    const ws = await createSandboxWorkspace(db, sb);
    const rows = await db.execute(sql`select * from workspaces where id = ${ws.id}`);
    const raw = JSON.stringify(rows);
    expect(raw).not.toContain(TEST_KEY);
    expect(raw).not.toContain(TEST_WORKSPACE);
    expect(raw).toMatch(/"api_key_enc":"v1:[^"]+"/);
    const settings = (await listWorkspaceSettings(db)).find((w) => w.id === ws.id);
    expect(settings).toMatchObject({ slug: ws.slug, apiKeyLast4: TEST_KEY.slice(-4) });
    expect(JSON.stringify(settings)).not.toContain(TEST_KEY);
  });

  it("decrypts only into the gateway, which reaches Trillet with them", async () => {
    const admin = await createAdmin(db);
    const { slug } = await createSandboxWorkspace(db, sb);
    const ws = (await findWorkspaceFor(db, admin, slug))!;
    const page = await ws.gateway.listCalls("demo-finished");
    expect(page.summary.total).toBe(150);
    expect(await testConnection(ws)).toBe("valid");
  });

  it("tells a rejected key from an unreachable Trillet", async () => {
    const admin = await createAdmin(db);
    const bad = await createTestWorkspace(db, {
      name: "Bad",
      baseUrl: sb.url,
      apiKey: "sk_wrong_000000",
      trilletWorkspaceId: TEST_WORKSPACE,
    });
    const slug = bad.slug;
    expect(await testConnection((await findWorkspaceFor(db, admin, slug))!)).toBe("rejected");
    await updateWorkspace(db, bad.id, { slug, name: "Bad", baseUrl: "http://127.0.0.1:9" });
    expect(await testConnection((await findWorkspaceFor(db, admin, slug))!)).toBe("unreachable");
    await updateWorkspace(db, bad.id, { slug, name: "Bad", baseUrl: sb.url, apiKey: TEST_KEY });
    expect(await testConnection((await findWorkspaceFor(db, admin, slug))!)).toBe("valid");
  });

  it("shows a member only the workspaces granted to them; admins see all", async () => {
    const member = await createMember(db);
    const admin = await createAdmin(db);
    const granted = await createTestWorkspace(db);
    const other = await createTestWorkspace(db);
    expect(await listWorkspacesFor(db, member)).toEqual([]);
    expect(await findWorkspaceFor(db, member, granted.slug)).toBeNull();
    expect((await listWorkspacesFor(db, admin)).map((w) => w.slug)).toEqual(expect.arrayContaining([granted.slug, other.slug]));
    await setWorkspaceAccess(db, member.id, granted.id, true);
    expect((await listWorkspacesFor(db, member)).map((w) => w.slug)).toEqual([granted.slug]);
    expect(await findWorkspaceFor(db, member, other.slug)).toBeNull();
    await setWorkspaceAccess(db, member.id, granted.id, false);
    expect(await findWorkspaceFor(db, member, granted.slug)).toBeNull();
  });

  it("binds each ciphertext to its row and column", () => {
    const sealed = seal("secret-value", "workspace:a:api_key");
    expect(open(sealed, "workspace:a:api_key")).toBe("secret-value");
    expect(() => open(sealed, "workspace:b:api_key")).toThrow();
    expect(seal("secret-value", "x")).not.toBe(seal("secret-value", "x"));
  });

  it("records audit events newest first, with who, what, when and from where", async () => {
    const { total: before } = await listAudit(db, 1, 1);
    await recordAuditEvent(db, {
      actor: { id: null, email: "a@example.com" },
      action: "auth.sign_in_failed",
      request: { ip: "192.0.2.1", userAgent: "ua" },
    });
    await recordAuditEvent(db, {
      actor: { id: null, email: "b@example.com" },
      action: "workspace.tested",
      target: "acme",
      detail: { verdict: "valid" },
    });
    const { rows, total } = await listAudit(db, 1, 2);
    expect(total).toBe(before + 2);
    expect(rows.map((r) => r.action)).toEqual(["workspace.tested", "auth.sign_in_failed"]);
    expect(rows[1]).toMatchObject({ actorEmail: "a@example.com", ip: "192.0.2.1" });
    expect(rows[0]!.at).toBeInstanceOf(Date);
  });
});
