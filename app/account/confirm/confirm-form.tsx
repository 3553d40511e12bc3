"use client";

import { useActionState } from "react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

import { confirmPasswordAction } from "./actions";

export function ConfirmPasswordForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState(confirmPasswordAction, null);
  return (
    <form action={action} className="flex flex-col gap-4">
      <input type="hidden" name="next" value={next} />
      <div className="flex flex-col gap-2">
        <Label htmlFor="confirm-password">Password</Label>
        <Input id="confirm-password" name="password" type="password" autoComplete="current-password" required autoFocus />
      </div>
      {state?.error ? (
        <p role="alert" className="text-sm text-destructive" data-testid="confirm-error">
          {state.error}
        </p>
      ) : null}
      <Button type="submit" disabled={pending} className="self-start">
        {pending ? "Confirming…" : "Confirm"}
      </Button>
    </form>
  );
}
