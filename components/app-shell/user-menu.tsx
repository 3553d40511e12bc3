import { LogOutIcon, ScrollTextIcon, SettingsIcon, UserIcon, UsersIcon } from "lucide-react";
import Link from "next/link";

import { signOutAction } from "@/app/account/actions";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { can } from "@/lib/auth/permissions";
import type { AppUser } from "@/lib/auth/users";

export function UserMenu({ user }: { user: AppUser }) {
  const initial = (user.name || user.email).slice(0, 1).toUpperCase();
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="icon" aria-label={`Account menu for ${user.email}`} data-testid="user-menu">
          <span className="flex size-7 items-center justify-center rounded-full bg-muted text-sm font-medium">{initial}</span>
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="w-60">
        <DropdownMenuLabel className="flex flex-col">
          <span className="truncate">{user.name || user.email}</span>
          <span className="truncate text-xs font-normal text-muted-foreground">
            {user.email} · {user.role}
          </span>
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuItem asChild>
          <Link href="/account">
            <UserIcon aria-hidden="true" /> Account
          </Link>
        </DropdownMenuItem>
        {can(user, "members.manage") ? (
          <DropdownMenuItem asChild>
            <Link href="/settings/members">
              <UsersIcon aria-hidden="true" /> Members
            </Link>
          </DropdownMenuItem>
        ) : null}
        {can(user, "workspaces.manage") ? (
          <DropdownMenuItem asChild>
            <Link href="/settings/workspaces">
              <SettingsIcon aria-hidden="true" /> Workspaces
            </Link>
          </DropdownMenuItem>
        ) : null}
        {can(user, "audit.read") ? (
          <DropdownMenuItem asChild>
            <Link href="/settings/audit">
              <ScrollTextIcon aria-hidden="true" /> Audit log
            </Link>
          </DropdownMenuItem>
        ) : null}
        <DropdownMenuSeparator />
        <form action={signOutAction}>
          <DropdownMenuItem asChild>
            <button type="submit" className="w-full">
              <LogOutIcon aria-hidden="true" /> Sign out
            </button>
          </DropdownMenuItem>
        </form>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
