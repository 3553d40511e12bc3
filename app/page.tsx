import { PageContainer } from "@/components/app-shell/page-container";
import { OpenBatchForm } from "@/components/batches/open-batch-form";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { listWorkspaces } from "@/lib/workspaces";

export const dynamic = "force-dynamic";

export default function HomePage() {
  const workspaces = listWorkspaces();
  return (
    <PageContainer className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Your Trillet workspaces</h1>
        <p className="text-muted-foreground">Open a batch by its ID, or paste a link a colleague shared.</p>
      </div>
      {workspaces.map((ws) => (
        <Card key={ws.slug} className="max-w-2xl">
          <CardHeader>
            <CardTitle>{ws.name}</CardTitle>
            <CardDescription>Workspace “{ws.slug}”</CardDescription>
          </CardHeader>
          <CardContent>
            <OpenBatchForm workspace={ws.slug} />
          </CardContent>
        </Card>
      ))}
    </PageContainer>
  );
}
