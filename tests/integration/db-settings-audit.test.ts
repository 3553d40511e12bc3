import { describe, expect, it } from "vitest";

import { auditPageHref, parseAuditPage } from "@/app/settings/audit/search-params";
import { formatAuditDetail } from "@/components/settings/audit-detail";

describe("audit page URL", () => {
  it("falls back to page 1 for a missing or malformed ?page=", () => {
    for (const page of [undefined, "", "0", "-3", "2.5", "abc", "1e99"]) expect(parseAuditPage({ page })).toBe(1);
    expect(parseAuditPage({ page: "7" })).toBe(7);
    expect(parseAuditPage({ page: ["3", "9"] })).toBe(3);
  });

  it("leaves page 1 out of links", () => {
    expect(auditPageHref(1)).toBe("/settings/audit");
    expect(auditPageHref(4)).toBe("/settings/audit?page=4");
  });
});

describe("audit detail", () => {
  it("reads as compact key=value pairs", () => {
    expect(formatAuditDetail({ role: "member", workspaces: ["sales", "support"], apiKeyReplaced: false })).toBe(
      "role=member workspaces=sales,support apiKeyReplaced=false",
    );
    expect(formatAuditDetail({ name: "Acme Inc", workspaces: [], extra: { a: 1 } })).toBe('name="Acme Inc" workspaces=none extra={"a":1}');
    expect(formatAuditDetail({})).toBe("");
  });
});
