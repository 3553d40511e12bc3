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
  /** Focus comes back to the button with this key after the page changes (see FocusRestorer). */
  focusKey?: string;
  children: ReactNode;
}

/**
 * A pagination button: a link styled as an outline button. At either end it stays focusable but
 * says it is unavailable (aria-disabled), so focus on "Next page" is kept when the last page loads.
 */
export function PageLink({ href, label, rel, size = "icon", scroll, focusKey, children }: Props) {
  if (!href) {
    return (
      <Button
        variant="outline"
        size={size}
        aria-disabled="true"
        aria-label={label}
        data-focus-key={focusKey}
        className="cursor-not-allowed opacity-50 hover:bg-background dark:hover:bg-input/30"
      >
        {children}
      </Button>
    );
  }
  return (
    <Button variant="outline" size={size} asChild>
      <Link href={href} aria-label={label} rel={rel} scroll={scroll} data-focus-key={focusKey}>
        {children}
      </Link>
    </Button>
  );
}
