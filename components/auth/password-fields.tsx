import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { MIN_PASSWORD_LENGTH } from "@/lib/security/password-rules";

/** New password + confirmation, shared by setup, invite and account forms. */
export function PasswordFields({ prefix = "", label = "Password" }: { prefix?: string; label?: string }) {
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
          aria-describedby={`${prefix}password-hint`}
        />
        <p id={`${prefix}password-hint`} className="text-xs text-muted-foreground">
          At least {MIN_PASSWORD_LENGTH} characters. A passphrase of a few words works well.
        </p>
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor={`${prefix}confirm`}>Confirm {label.toLowerCase()}</Label>
        <Input id={`${prefix}confirm`} name="confirm" type="password" autoComplete="new-password" required />
      </div>
    </>
  );
}
