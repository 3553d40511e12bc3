import { cn } from "@/lib/utils";

/** An action's error under its form; role="alert" so screen readers announce it when it appears. */
export function FormError({ id, error, className }: { id?: string; error: string | null; className?: string }) {
  if (!error) return null;
  return (
    <p id={id} role="alert" className={cn("text-sm text-destructive", className)}>
      {error}
    </p>
  );
}
