"use client";

import { SearchIcon, XIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState } from "react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { batchViewQuery, type BatchView } from "@/lib/batches/view-query";

/** Search over phone numbers, metadata and error text; the query lives in the URL (?q=). */
export function CallsSearch({ basePath, view }: { basePath: string; view: BatchView }) {
  const router = useRouter();
  const id = useId();
  const [value, setValue] = useState(view.q);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const go = (q: string) => router.replace(`${basePath}${batchViewQuery({ ...view, q: q.trim(), page: 1 })}`, { scroll: false });
  return (
    <form
      role="search"
      className="flex max-w-md items-center gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        clearTimeout(timer.current);
        go(value);
      }}
    >
      <label htmlFor={id} className="sr-only">
        Search calls
      </label>
      <div className="relative flex-1">
        <SearchIcon
          aria-hidden="true"
          className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground"
        />
        <Input
          id={id}
          type="search"
          value={value}
          placeholder="Phone, name, email, error…"
          className="pl-8"
          maxLength={200}
          onChange={(event) => {
            const next = event.target.value;
            setValue(next);
            clearTimeout(timer.current);
            timer.current = setTimeout(() => go(next), 400);
          }}
        />
      </div>
      {view.q ? (
        <Button
          type="button"
          variant="ghost"
          size="icon"
          aria-label="Clear search"
          onClick={() => {
            setValue("");
            go("");
          }}
        >
          <XIcon aria-hidden="true" />
        </Button>
      ) : null}
    </form>
  );
}
