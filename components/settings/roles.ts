import type { Role } from "@/lib/db/schema";

// The role choices for client components, which must not import the schema module (Drizzle).
export const ROLE_OPTIONS: readonly { value: Role; label: string }[] = [
  { value: "member", label: "Member" },
  { value: "admin", label: "Admin" },
];

export const isRole = (value: string): value is Role => ROLE_OPTIONS.some((r) => r.value === value);
