import { AlertTriangleIcon, KeyRoundIcon, TimerIcon, WifiOffIcon } from "lucide-react";
import Link from "next/link";

import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import type { TrilletErrorKind } from "@/lib/trillet/errors";

import { LocalTime } from "./local-time";
import { RetryByItself } from "./retry-by-itself";

interface Props {
  kind: TrilletErrorKind;
  retryAt?: number;
  /** The rate limit was used up by another tool on the same key. */
  foreign?: boolean;
  retryHref: string;
}

// Worth trying again by itself: the fault passes (Trillet recovers, an admin fixes the key).
// Not a wrong batch ID or an invalid request: those stay as they are.
const PASSING: ReadonlySet<TrilletErrorKind> = new Set(["rate_limited", "unavailable", "invalid_response", "incomplete", "credentials"]);

const COPY: Record<TrilletErrorKind, { title: string; body: string }> = {
  credentials: {
    title: "Trillet rejected this workspace's credentials",
    body: "The API key or workspace ID configured for this workspace was refused. An admin needs to update the Trillet connection.",
  },
  rate_limited: {
    title: "Trillet's rate limit is reached",
    body: "This workspace has used its Trillet request budget for the moment, and Batchboard has not read this view before.",
  },
  unavailable: {
    title: "Trillet is unreachable",
    body: "We could not get an answer from Trillet after several tries. It may be down or slow right now.",
  },
  invalid_response: {
    title: "Trillet sent an answer we could not read",
    body: "The response did not match Trillet's documented format. Try again; if it persists, Trillet may have changed its API.",
  },
  outcome_unknown: {
    title: "Trillet did not confirm the change",
    body: "The request may or may not have reached Trillet. Check the batch in Trillet before trying again.",
  },
  incomplete: {
    title: "The batch could not be read completely",
    body: "Some pages of the batch could not be read, so nothing partial is shown.",
  },
  invalid_request: {
    title: "That request could not be made",
    body: "Trillet refused the request as invalid.",
  },
  not_found: {
    title: "Batch not found in this workspace",
    body: "Trillet has no batch with this ID in this workspace. Check the ID or the link you were given.",
  },
};

const ICONS: Partial<Record<TrilletErrorKind, typeof AlertTriangleIcon>> = {
  credentials: KeyRoundIcon,
  rate_limited: TimerIcon,
  unavailable: WifiOffIcon,
};

/** A state a person can act on; never rendered as an empty batch. */
export function BatchErrorState({ kind, retryAt, foreign, retryHref }: Props) {
  const copy = COPY[kind];
  const Icon = ICONS[kind] ?? AlertTriangleIcon;
  return (
    <Alert variant="destructive" data-testid="batch-error" data-kind={kind} className="max-w-2xl">
      <Icon aria-hidden="true" />
      <AlertTitle>{copy.title}</AlertTitle>
      <AlertDescription>
        <p>{foreign ? "Another tool is using this workspace's Trillet key and has used up its rate limit." : copy.body}</p>
        {kind === "rate_limited" && retryAt ? (
          <p>
            It frees up at <LocalTime ms={retryAt} />.
          </p>
        ) : null}
        {PASSING.has(kind) ? <RetryByItself retryAt={retryAt} /> : null}
        {kind !== "credentials" ? (
          <Button asChild variant="outline" size="sm" className="mt-2">
            <Link href={retryHref}>Try again</Link>
          </Button>
        ) : null}
      </AlertDescription>
    </Alert>
  );
}
