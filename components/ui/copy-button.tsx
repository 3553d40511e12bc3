"use client";

import { CheckIcon, CopyIcon, LinkIcon } from "lucide-react";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toast";

interface Props extends Omit<React.ComponentProps<typeof Button>, "value" | "onClick" | "children"> {
  /** What to copy; a function is read at the moment of the click (e.g. the current address). */
  value: string | (() => string);
  label?: string;
  /** A link icon instead of the copy icon. */
  link?: boolean;
  /** The toast's description on success. */
  description?: string;
}

/** One copy-to-clipboard button: the label turns to "Copied" for 2 s, a toast says what happened. */
export function CopyButton({ value, label = "Copy link", link = false, description, variant = "outline", ...props }: Props) {
  const [copied, setCopied] = useState(false);
  const Icon = copied ? CheckIcon : link ? LinkIcon : CopyIcon;
  return (
    <Button
      variant={variant}
      {...props}
      onClick={async () => {
        const text = typeof value === "function" ? value() : value;
        try {
          await navigator.clipboard.writeText(text);
          setCopied(true);
          toast.success(link ? "Link copied" : "Copied to the clipboard.", description ? { description } : undefined);
          setTimeout(() => setCopied(false), 2_000);
        } catch {
          // The clipboard API needs a secure context (https or localhost) and the page's focus.
          toast.error("Couldn't copy: select the text and copy it yourself.", link ? { description: text } : undefined);
        }
      }}
    >
      <Icon aria-hidden="true" />
      {copied ? "Copied" : label}
    </Button>
  );
}
