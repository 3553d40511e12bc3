import { notFound } from "next/navigation";
import type { ReactNode } from "react";

import { requireUser, visibleWorkspace } from "@/lib/auth/guards";
import { decodeSegment } from "@/lib/http/segments";

// A workspace that does not exist, or that this person may not see, is a 404 for every page under
// it (absent and hidden look alike). Thrown here, in the layout, it reaches app/w/not-found.tsx,
// which says "Workspace not found" rather than the batch pages' "Batch not found".
export default async function WorkspaceLayout({ children, params }: { children: ReactNode; params: Promise<{ workspace: string }> }) {
  const user = await requireUser();
  const slug = decodeSegment((await params).workspace, "page");
  if (slug === null || !(await visibleWorkspace(user, slug))) notFound();
  return children;
}
