import "server-only";
import type { Read } from "../trillet/client";
import { isFinished, type CallsPage } from "../trillet/schemas";
import type { Workspace } from "../workspaces";
import type { BatchView } from "./search-params";

export type BatchPageData = Read<CallsPage> & {
  /** Cards, tabs and rows all come from this one read, so they always agree with each other. */
  finished: boolean;
};

/** The summary and one page of calls of a batch, from a single upstream read through the gateway. */
export async function getBatchPage(workspace: Workspace, batchId: string, view: BatchView): Promise<BatchPageData> {
  const page = await workspace.gateway.listCalls(
    batchId,
    { page: view.page, limit: view.limit, status: view.status },
    { priority: "interactive" },
  );
  return { ...page, finished: isFinished(page.summary) };
}
