"use client";

import { startTransition, useActionState, type FormEvent } from "react";

import { toast } from "@/components/ui/toast";

import type { ActionResult } from "./action-result";

type ServerAction<T> = (previous: ActionResult<T>, formData: FormData) => Promise<ActionResult<T>>;

interface Options<T> {
  onSuccess?: (data: T) => void;
  /** Replaces the default success toast (e.g. a connection test whose verdict may be bad news). */
  announce?: (message: string, data: T) => void;
}

/**
 * A settings form's server action: errors come back as state to show inline, success is toasted.
 * The form submits through onSubmit because React resets a form after every action it starts
 * itself, which would throw away what the admin typed whenever the server says no. `action` is
 * still set so that a submit before hydration does nothing rather than a GET with the fields in
 * the URL.
 */
export function useSettingsAction<T>(serverAction: ServerAction<T>, options: Options<T> = {}) {
  const [state, formAction, pending] = useActionState<ActionResult<T>, FormData>(async (previous, formData) => {
    const result = await serverAction(previous, formData);
    if (result?.ok) {
      if (options.announce) options.announce(result.message, result.data);
      else toast.success(result.message);
      options.onSuccess?.(result.data);
    }
    return result;
  }, null);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formData = new FormData(event.currentTarget);
    startTransition(() => formAction(formData));
  };

  const error = state && !state.ok ? state.error : null;
  return { state, error, pending, formProps: { action: formAction, onSubmit } };
}
