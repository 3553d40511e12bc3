import { PageContainer } from "@/components/app-shell/page-container";
import { SettingsNav } from "@/components/settings/settings-nav";

// No access check here on purpose: layouts do not re-render on client navigation, so every page
// checks its permission itself (requirePermission), and every action through withAction.
export default function SettingsLayout({ children }: { children: React.ReactNode }) {
  return (
    <PageContainer className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Settings</h1>
        <p className="text-muted-foreground">Who can sign in, which Trillet workspaces they see, and what changed.</p>
      </div>
      <SettingsNav />
      {children}
    </PageContainer>
  );
}
