"use client";

import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import type { Role } from "@/lib/db/schema";

import { isRole, ROLE_OPTIONS } from "./roles";

interface Props {
  id: string;
  value: Role;
  onChange: (role: Role) => void;
  size?: "sm" | "default";
  "aria-describedby"?: string;
  disabled?: boolean;
}

/** Posts as the form field "role" (Radix renders a hidden native select inside a form). */
export function RoleSelect({ id, value, onChange, size = "default", disabled, ...aria }: Props) {
  return (
    <Select name="role" value={value} onValueChange={(v) => (isRole(v) ? onChange(v) : undefined)} disabled={disabled}>
      <SelectTrigger id={id} size={size} className="w-full min-w-28" {...aria}>
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        {ROLE_OPTIONS.map((r) => (
          <SelectItem key={r.value} value={r.value}>
            {r.label}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  );
}
