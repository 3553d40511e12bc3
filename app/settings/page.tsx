import { redirect } from "next/navigation";
import { requireAdmin } from "@/lib/auth/guards";

export default async function SettingsPage() {
  await requireAdmin();
  redirect("/settings/members");
}
