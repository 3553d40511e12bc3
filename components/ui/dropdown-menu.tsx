"use client";

import { Slot } from "radix-ui";
import * as React from "react";

import type * as Radix from "./dropdown-menu-radix";
import { lazyModule, useLazyRoot } from "./lazy-module";

// The menus (theme, account, export) are Radix menus, but Radix's menu code (popper, focus trap,
// roving focus: about 25 KiB gzip) is fetched only when someone reaches for a menu. Until then the
// trigger is the same button with the same ARIA, and the content is not rendered (as in Radix,
// where closed content is not in the page either). The API is the Radix one in
// dropdown-menu-radix.tsx.
const radix = lazyModule(() => import("./dropdown-menu-radix"));

// Each menu switches to Radix only when it opens (the focus then moves into the menu), never while
// someone may be on its button; fetching early (on hover or focus) only warms the cache. A menu
// opened from the keyboard focuses the menu itself, as one opened with the mouse does: the arrow
// keys then reach the items.
const Loaded = React.createContext<typeof Radix | null>(null);
const RequestOpen = React.createContext<(() => void) | null>(null);

function DropdownMenu({ open, defaultOpen, onOpenChange, ...props }: React.ComponentProps<typeof Radix.DropdownMenu>) {
  const { impl, requestOpen } = useLazyRoot(radix, { open, defaultOpen, onOpenChange });
  if (impl) {
    // Mounted once wanted and kept: uncontrolled, it starts open; controlled, `open` decides.
    return (
      <Loaded.Provider value={impl}>
        <impl.DropdownMenu open={open} defaultOpen onOpenChange={onOpenChange} {...props} />
      </Loaded.Provider>
    );
  }
  return <RequestOpen.Provider value={requestOpen}>{props.children}</RequestOpen.Provider>;
}

function DropdownMenuTrigger(props: React.ComponentProps<typeof Radix.DropdownMenuTrigger>) {
  const impl = React.useContext(Loaded);
  const requestOpen = React.useContext(RequestOpen);
  if (impl) return <impl.DropdownMenuTrigger {...props} />;
  const { asChild, disabled, onPointerDown, onPointerEnter, onFocus, onKeyDown, ...rest } = props;
  const Comp = asChild ? Slot.Root : "button";
  const preload = () => void radix.load().catch(() => undefined);
  // The same attributes and keys as Radix's trigger, so nothing changes for a person or a test.
  return (
    <Comp
      type="button"
      aria-haspopup="menu"
      aria-expanded={false}
      data-state="closed"
      data-disabled={disabled ? "" : undefined}
      disabled={disabled}
      data-slot="dropdown-menu-trigger"
      {...rest}
      onPointerEnter={(event: React.PointerEvent<HTMLButtonElement>) => {
        onPointerEnter?.(event);
        preload();
      }}
      onFocus={(event: React.FocusEvent<HTMLButtonElement>) => {
        onFocus?.(event);
        preload();
      }}
      onPointerDown={(event: React.PointerEvent<HTMLButtonElement>) => {
        onPointerDown?.(event);
        if (disabled || event.defaultPrevented || event.button !== 0 || event.ctrlKey) return;
        event.preventDefault();
        requestOpen?.();
      }}
      onKeyDown={(event: React.KeyboardEvent<HTMLButtonElement>) => {
        onKeyDown?.(event);
        if (disabled || event.defaultPrevented || !["Enter", " ", "ArrowDown"].includes(event.key)) return;
        event.preventDefault();
        requestOpen?.();
      }}
    />
  );
}

/** A part that only exists inside the open menu, so only once Radix is there. */
function part<P extends object>(name: string, pick: (impl: typeof Radix) => React.ComponentType<P>) {
  function Part(props: P) {
    const impl = React.useContext(Loaded);
    if (!impl) return null;
    // The loaded module's own component: the same one on every render, so state is kept.
    return React.createElement(pick(impl), props);
  }
  Part.displayName = name;
  return Part;
}

const DropdownMenuPortal = part("DropdownMenuPortal", (r) => r.DropdownMenuPortal);
const DropdownMenuContent = part("DropdownMenuContent", (r) => r.DropdownMenuContent);
const DropdownMenuGroup = part("DropdownMenuGroup", (r) => r.DropdownMenuGroup);
const DropdownMenuLabel = part("DropdownMenuLabel", (r) => r.DropdownMenuLabel);
const DropdownMenuItem = part("DropdownMenuItem", (r) => r.DropdownMenuItem);
const DropdownMenuCheckboxItem = part("DropdownMenuCheckboxItem", (r) => r.DropdownMenuCheckboxItem);
const DropdownMenuRadioGroup = part("DropdownMenuRadioGroup", (r) => r.DropdownMenuRadioGroup);
const DropdownMenuRadioItem = part("DropdownMenuRadioItem", (r) => r.DropdownMenuRadioItem);
const DropdownMenuSeparator = part("DropdownMenuSeparator", (r) => r.DropdownMenuSeparator);
const DropdownMenuShortcut = part("DropdownMenuShortcut", (r) => r.DropdownMenuShortcut);
const DropdownMenuSub = part("DropdownMenuSub", (r) => r.DropdownMenuSub);
const DropdownMenuSubTrigger = part("DropdownMenuSubTrigger", (r) => r.DropdownMenuSubTrigger);
const DropdownMenuSubContent = part("DropdownMenuSubContent", (r) => r.DropdownMenuSubContent);

export {
  DropdownMenu,
  DropdownMenuPortal,
  DropdownMenuTrigger,
  DropdownMenuContent,
  DropdownMenuGroup,
  DropdownMenuLabel,
  DropdownMenuItem,
  DropdownMenuCheckboxItem,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuShortcut,
  DropdownMenuSub,
  DropdownMenuSubTrigger,
  DropdownMenuSubContent,
};
