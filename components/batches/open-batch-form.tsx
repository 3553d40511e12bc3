"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { parseBatchInput } from "@/lib/batches/batch-input";

export function OpenBatchForm({ workspace }: { workspace: string }) {
  const router = useRouter();
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="flex flex-col gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        const value = new FormData(event.currentTarget).get("batch");
        const parsed = parseBatchInput(typeof value === "string" ? value : "");
        if (!parsed.ok) return setError(parsed.message);
        setError(null);
        router.push(`/w/${workspace}/batches/${encodeURIComponent(parsed.batchId)}${parsed.query}`);
      }}
    >
      <Label htmlFor={id}>Open batch</Label>
      <div className="flex gap-2">
        <Input
          id={id}
          name="batch"
          placeholder="Batch ID or Batchboard link"
          autoComplete="off"
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
        <Button type="submit">Open</Button>
      </div>
      {error ? (
        <p id={`${id}-error`} role="alert" className="text-sm text-destructive">
          {error}
        </p>
      ) : null}
    </form>
  );
}
