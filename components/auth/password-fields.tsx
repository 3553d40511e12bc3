import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { MIN_PASSWORD_LENGTH } from "@/lib/security/password-rules";

/** New password + confirmation, shared by setup, invite and account forms. */
interface Props {
  prefix?: string;
  label?: string;
  /** An error about one of the two fields: shown under it, described by it and marked invalid. */
  error?: { field: "password" | "confirm"; message: string } | null;
}

export function PasswordFields({ prefix = "", label = "Password", error = null }: Props) {
  const errorId = `${prefix}password-error`;
  return (
    <>
      <div className="flex flex-col gap-2">
        <Label htmlFor={`${prefix}password`}>{label}</Label>
        <Input
          id={`${prefix}password`}
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={MIN_PASSWORD_LENGTH}
          required
          aria-describedby={error?.field === "password" ? `${prefix}password-hint ${errorId}` : `${prefix}password-hint`}
          aria-invalid={error?.field === "password" ? true : undefined}
        />
        {error?.field === "password" ? (
          <p id={errorId} role="alert" className="text-sm text-destructive">
            {error.message}
          </p>
        ) : null}
        <p id={`${prefix}password-hint`} className="text-xs text-muted-foreground">
          At least {MIN_PASSWORD_LENGTH} characters. A passphrase of a few words works well.
        </p>
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor={`${prefix}confirm`}>Confirm {label.toLowerCase()}</Label>
        <Input
          id={`${prefix}confirm`}
          name="confirm"
          type="password"
          autoComplete="new-password"
          required
          aria-describedby={error?.field === "confirm" ? errorId : undefined}
          aria-invalid={error?.field === "confirm" ? true : undefined}
        />
        {error?.field === "confirm" ? (
          <p id={errorId} role="alert" className="text-sm text-destructive">
            {error.message}
          </p>
        ) : null}
      </div>
    </>
  );
}
