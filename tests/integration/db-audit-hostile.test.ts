import { describe, expect, it } from "vitest";

import { listAudit, recordAuditEvent } from "@/lib/audit";

import { usingPostgres } from "../support/db";
import { db, setUpDatabase } from "../support/harness";

// A refused request is audited with what it carried, even text the database would refuse.

setUpDatabase();

describe(`audit of hostile input (${usingPostgres() ? "PostgreSQL" : "PGlite"})`, () => {
  it("stores NULs and control characters as visible escapes and broken UTF-16 as U+FFFD", async () => {
    await recordAuditEvent(db, {
      actor: null,
      action: "export.failed",
      target: "demo\u0000finished",
      detail: { query: "q=a\u0000b&sort=\u001b[2J", "key\u0001": ["\ud800x", 3, true, null], nested: { tab: "a\tb" } },
      request: { ip: "127.0.0.1", userAgent: "agent\u0007" },
    });
    const { rows } = await listAudit(db, 1, 10);
    expect(rows[0]).toMatchObject({
      target: "demo\\u0000finished",
      detail: { query: "q=a\\u0000b&sort=\\u001b[2J", "key\\u0001": ["\ufffdx", 3, true, null], nested: { tab: "a\tb" } },
      userAgent: "agent\\u0007",
    });
  });
});
