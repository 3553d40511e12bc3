"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

import { openBatchTarget } from "./open-target";

/** "Open batch": a batch ID from Trillet or a pasted Batchboard link. */
export function OpenBatchField({ workspace }: { workspace: string }) {
  const router = useRouter();
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const describedBy = error ? `${id}-hint ${id}-error` : `${id}-hint`;
  return (
    <form
      className="flex flex-col gap-2"
      data-testid="open-batch"
      onSubmit={(event) => {
        event.preventDefault();
        const value = new FormData(event.currentTarget).get("batch");
        const target = openBatchTarget(workspace, typeof value === "string" ? value : "");
        if (!target.ok) return setError(target.message);
        setError(null);
        startTransition(() => router.push(target.href));
      }}
    >
      <Label htmlFor={id}>Open batch</Label>
      <p id={`${id}-hint`} className="text-sm text-muted-foreground">
        Paste a batch ID from Trillet, or a Batchboard link a colleague shared.
      </p>
      <div className="flex gap-2">
        <Input
          id={id}
          name="batch"
          placeholder="e.g. batch_8f2c41"
          autoComplete="off"
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          onChange={() => error && setError(null)}
        />
        <Button type="submit" disabled={pending}>
          {pending ? "Opening…" : "Open"}
        </Button>
      </div>
      {error ? (
        <p id={`${id}-error`} role="alert" className="text-sm text-destructive" data-testid="open-batch-error">
          {error}
        </p>
      ) : null}
    </form>
  );
}
