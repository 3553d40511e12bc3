import { redirect } from "next/navigation";

import { requirePermission } from "@/lib/auth/guards";

export default async function SettingsPage() {
  await requirePermission("members.manage");
  redirect("/settings/members");
}
