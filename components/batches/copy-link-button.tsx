"use client";

import { CheckIcon, LinkIcon } from "lucide-react";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toast";

/** Copies the address of exactly this view (filters, page, search, open call) for a colleague. */
export function CopyLinkButton() {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      variant="outline"
      size="sm"
      data-testid="copy-link"
      onClick={async () => {
        const url = window.location.href;
        try {
          await navigator.clipboard.writeText(url);
          setCopied(true);
          toast.success("Link copied", { description: "It opens this exact view." });
          setTimeout(() => setCopied(false), 2_000);
        } catch {
          toast.error("Could not copy the link", { description: url });
        }
      }}
    >
      {copied ? <CheckIcon aria-hidden="true" /> : <LinkIcon aria-hidden="true" />}
      {copied ? "Copied" : "Copy link"}
    </Button>
  );
}
