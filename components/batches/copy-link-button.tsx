"use client";

import { CopyButton } from "@/components/ui/copy-button";

/** Copies the address of exactly this view (filters, page, search, open call) for a colleague. */
export function CopyLinkButton({ label = "Copy link", testId = "copy-link" }: { label?: string; testId?: string }) {
  return (
    <CopyButton
      value={() => window.location.href}
      label={label}
      link
      size="sm"
      description="It opens this exact view."
      data-testid={testId}
    />
  );
}
