import Link from "next/link";
import type { ComponentProps, ReactNode } from "react";

import { Button } from "@/components/ui/button";

interface Props {
  /** Where the button goes; null: a disabled button (first or last page). */
  href: string | null;
  /** Accessible name, for icon-only buttons. */
  label?: string;
  rel?: "prev" | "next";
  size?: "icon" | "sm";
  scroll?: ComponentProps<typeof Link>["scroll"];
  children: ReactNode;
}

/** A pagination button: a link styled as an outline button, or a disabled button at either end. */
export function PageLink({ href, label, rel, size = "icon", scroll, children }: Props) {
  if (!href) {
    return (
      <Button variant="outline" size={size} disabled aria-label={label}>
        {children}
      </Button>
    );
  }
  return (
    <Button variant="outline" size={size} asChild>
      <Link href={href} aria-label={label} rel={rel} scroll={scroll}>
        {children}
      </Link>
    </Button>
  );
}
