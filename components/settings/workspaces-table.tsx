import { BellIcon } from "lucide-react";
import Link from "next/link";

import { LocalTime } from "@/components/batches/local-time";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { WorkspaceSettings } from "@/lib/workspaces";

import { RemoveWorkspaceDialog } from "./remove-workspace-dialog";
import { TestConnectionButton } from "./test-connection-button";
import { WorkspaceDialog } from "./workspace-dialog";

export function WorkspacesTable({ workspaces }: { workspaces: readonly WorkspaceSettings[] }) {
  return (
    <Table data-testid="workspaces-table">
      <TableHeader>
        <TableRow>
          <TableHead>Name</TableHead>
          <TableHead>Slug</TableHead>
          <TableHead>Base URL</TableHead>
          <TableHead>API key</TableHead>
          <TableHead>Updated</TableHead>
          <TableHead>Connection</TableHead>
          <TableHead>
            <span className="sr-only">Actions</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {workspaces.map((w) => (
          <TableRow key={w.id} data-testid="workspace-row" className="align-top">
            <TableCell className="font-medium">{w.name}</TableCell>
            <TableCell className="font-mono text-xs">{w.slug}</TableCell>
            <TableCell className="max-w-56 truncate" title={w.baseUrl}>
              {w.baseUrl}
            </TableCell>
            <TableCell className="font-mono text-xs">
              <span aria-hidden="true">••••</span>
              {/* A key under 16 characters shows none of its characters (lib/workspaces.ts keyHint). */}
              {w.apiKeyLast4 ? (
                <>
                  <span className="sr-only">ending in </span>
                  {w.apiKeyLast4}
                </>
              ) : (
                <span className="sr-only">hidden</span>
              )}
            </TableCell>
            <TableCell>
              <LocalTime ms={w.updatedAt.getTime()} />
            </TableCell>
            <TableCell>
              {/* Keyed by the last save: a verdict about the old credentials must not linger. */}
              <TestConnectionButton
                key={w.updatedAt.getTime()}
                workspaceId={w.id}
                name={w.name}
                // A verdict about credentials replaced since is not shown.
                last={w.lastTest && w.lastTest.at >= w.updatedAt ? { verdict: w.lastTest.verdict, at: w.lastTest.at.getTime() } : null}
              />
            </TableCell>
            <TableCell className="flex justify-end gap-2">
              <Button asChild size="sm" variant="outline">
                <Link href={`/settings/workspaces/${w.slug}/notifications`}>
                  <BellIcon aria-hidden="true" />
                  Notifications<span className="sr-only"> of {w.name}</span>
                </Link>
              </Button>
              <RemoveWorkspaceDialog workspaceId={w.id} name={w.name} slug={w.slug} />
              <WorkspaceDialog
                key={w.updatedAt.getTime()}
                workspace={{
                  id: w.id,
                  name: w.name,
                  slug: w.slug,
                  baseUrl: w.baseUrl,
                  apiKeyLast4: w.apiKeyLast4,
                  defaultAgentId: w.defaultAgentId,
                }}
              />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
