"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";

import { succeeded, type ActionResult } from "@/components/settings/action-result";
import { auditRetention, recordAudit, setAuditRetention, type AuditRetention } from "@/lib/audit";
import { withAction } from "@/lib/auth/action";
import { currentRequestInfo } from "@/lib/auth/request-info";
import { getDb } from "@/lib/db";

const PATH = "/settings/audit";

const retentionInput = z.object({
  days: z.enum(["90", "180", "365", "forever"], { error: "Choose how long audit entries are kept." }),
});

const describe = (days: AuditRetention) => (days === null ? "forever" : `${days} days`);

// How long the audit log keeps entries: a team admin's change (older entries are deleted by the
// hourly purge), so it needs a recent sign-in and is itself audited, in one transaction.
export const changeAuditRetention = withAction(
  { permission: "members.manage", input: retentionInput, fresh: PATH },
  async ({ input, user: admin }): Promise<ActionResult> => {
    const days: AuditRetention = input.days === "forever" ? null : (Number(input.days) as 90 | 180 | 365);
    const db = await getDb();
    const previous = await auditRetention(db);
    if (previous === days) return succeeded(`Audit entries are already kept ${describe(days)}.`);
    const request = await currentRequestInfo();
    await db.transaction(async (tx) => {
      await setAuditRetention(tx, days);
      await recordAudit(tx, {
        actor: admin,
        action: "audit.retention_changed",
        target: "audit log",
        detail: { previous: previous ?? "forever", days: days ?? "forever" },
        request,
      });
    });
    revalidatePath(PATH);
    return days === null
      ? succeeded("Audit entries are now kept forever.")
      : succeeded(`Audit entries are now kept ${days} days; older ones are deleted within the hour.`);
  },
);
