// What every settings server action answers. Shared by the actions and the forms that show it,
// so it lives outside the "use server" files (those may export async functions only).

/** A refusal may name the form field it is about (`field`), so the form shows it next to that field. */
export type ActionResult<T = null> = { ok: true; message: string; data: T } | { ok: false; error: string; field?: string } | null;

/** What inviteMember answers once; the link holds the token and is never stored or logged. */
export interface CreatedInvite {
  email: string;
  link: string;
  expiresAt: string;
}

export function succeeded(message: string): { ok: true; message: string; data: null };
export function succeeded<T>(message: string, data: T): { ok: true; message: string; data: T };
export function succeeded<T>(message: string, data: T | null = null) {
  return { ok: true as const, message, data };
}

export function failed(error: string, field?: string): { ok: false; error: string; field?: string } {
  return field ? { ok: false, error, field } : { ok: false, error };
}

/** The first zod issue's message: every schema here words its own messages for people. */
export function firstIssue(error: { issues: readonly { message: string }[] }): string {
  return error.issues[0]?.message ?? "Check the form and try again.";
}
