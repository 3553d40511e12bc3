import { describe, expect, it } from "vitest";

import { can, PERMISSIONS, ROLES_ACCESS, seesEveryWorkspace, type Permission } from "@/lib/auth/permissions";
import { ROLES } from "@/lib/db/schema";

const all = Object.keys(PERMISSIONS) as Permission[];
const admin = { role: "admin" as const };
const member = { role: "member" as const };

describe("the permissions table", () => {
  it("gives an admin every permission and every workspace", () => {
    for (const permission of all) expect(can(admin, permission), permission).toBe(true);
    expect(seesEveryWorkspace(admin)).toBe(true);
  });

  it("gives a member their granted workspaces' batches and their own account, nothing app-wide", () => {
    expect(all.filter((p) => can(member, p))).toEqual(["batches.read", "batches.export", "batches.manage", "account.manage"]);
    expect(seesEveryWorkspace(member)).toBe(false);
  });

  it("names only known permissions, for every role", () => {
    for (const role of ROLES) for (const p of ROLES_ACCESS[role].permissions) expect(all, `${role}: ${p}`).toContain(p);
  });
});
