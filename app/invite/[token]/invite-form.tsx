"use client";

import { startTransition, useActionState, useEffect, useRef, type FormEvent } from "react";

import { PasswordFields } from "@/components/auth/password-fields";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

import { acceptInviteAction } from "./actions";

export function InviteForm({ token, email }: { token: string; email: string }) {
  const [state, action, pending] = useActionState(acceptInviteAction, null);
  const formRef = useRef<HTMLFormElement>(null);
  // Submitted through onSubmit: React resets a form after an action it starts itself, which would
  // throw away the name (and passwords) whenever the server says no.
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    startTransition(() => action(data));
  };
  const field = state?.field ?? null;
  useEffect(() => {
    // The first invalid field takes the focus, so the error is where the person is.
    if (field) formRef.current?.querySelector<HTMLInputElement>(`[name="${field}"]`)?.focus();
  }, [state, field]);
  return (
    <form ref={formRef} action={action} onSubmit={onSubmit} className="flex flex-col gap-4">
      <input type="hidden" name="token" value={token} />
      <div className="flex flex-col gap-2">
        <Label htmlFor="email">Email</Label>
        <Input id="email" value={email} readOnly autoComplete="username" />
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor="name">Your name</Label>
        <Input
          id="name"
          name="name"
          autoComplete="name"
          required
          aria-invalid={field === "name" ? true : undefined}
          aria-describedby={field === "name" ? "name-error" : undefined}
        />
        {field === "name" ? (
          <p id="name-error" role="alert" className="text-sm text-destructive">
            {state?.error}
          </p>
        ) : null}
      </div>
      <PasswordFields error={state && (field === "password" || field === "confirm") ? { field, message: state.error } : null} />
      {state?.error && !field ? (
        <p role="alert" className="text-sm text-destructive">
          {state.error}
        </p>
      ) : null}
      <Button type="submit" disabled={pending}>
        {pending ? "Joining…" : "Set password and sign in"}
      </Button>
    </form>
  );
}
