import { AudioWaveformIcon, ChevronRightIcon } from "lucide-react";
import Link from "next/link";
import * as React from "react";

import { ThemeToggle } from "@/components/app-shell/theme-toggle";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/lib/utils";

type SiteHeaderProps = {
  /** Workspace name shown as a breadcrumb next to the product name. */
  workspace?: string;
  className?: string;
  /** Extra controls on the right, before the theme toggle (the signed-in user's menu). */
  children?: React.ReactNode;
};

function SiteHeader({ workspace, className, children }: SiteHeaderProps) {
  return (
    <header
      data-slot="site-header"
      className={cn(
        "sticky top-0 z-40 w-full border-b bg-background/90 backdrop-blur supports-[backdrop-filter]:bg-background/70",
        className,
      )}
    >
      <div className="mx-auto flex h-14 w-full max-w-7xl items-center gap-2 px-4 sm:px-6 lg:px-8">
        <nav aria-label="Breadcrumb" className="min-w-0 flex-1">
          <ol className="flex min-w-0 items-center gap-1.5 sm:gap-2">
            <li className="shrink-0">
              <Link
                href="/"
                className="flex items-center gap-2 rounded-md font-semibold tracking-tight outline-none focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-2 focus-visible:ring-offset-background"
              >
                <span className="flex size-7 items-center justify-center rounded-md bg-primary text-primary-foreground">
                  <AudioWaveformIcon aria-hidden="true" className="size-4" />
                </span>
                <span>Batchboard</span>
              </Link>
            </li>
            {workspace ? (
              <li className="flex min-w-0 items-center gap-1.5 sm:gap-2">
                <ChevronRightIcon aria-hidden="true" className="size-4 shrink-0 text-muted-foreground" />
                <Badge variant="secondary" title={workspace} className="max-w-full min-w-0 justify-start">
                  <span className="sr-only">Workspace: </span>
                  <span className="truncate">{workspace}</span>
                </Badge>
              </li>
            ) : null}
          </ol>
        </nav>
        <div className="flex shrink-0 items-center gap-1">
          {children}
          <ThemeToggle />
        </div>
      </div>
    </header>
  );
}

export { SiteHeader, type SiteHeaderProps };
