"use client";

import { Slot } from "radix-ui";
import * as React from "react";

import { cn } from "@/lib/utils";

import { lazyModule, useLazyRoot } from "./lazy-module";
import type * as Radix from "./sheet-radix";

// A sheet is a Radix dialog, but the dialog code (focus trap, scroll lock, dismissal: about 8 KiB
// gzip with what it shares with the menus) is fetched only when a sheet opens. A closed sheet
// renders nothing, with Radix as without it. The API is the Radix one in sheet-radix.tsx.
const radix = lazyModule(() => import("./sheet-radix"));

// Each sheet switches to Radix when it first opens and keeps it (so it can animate closing).
const Loaded = React.createContext<typeof Radix | null>(null);
const RequestOpen = React.createContext<(() => void) | null>(null);

function Sheet({ open, defaultOpen, onOpenChange, ...props }: React.ComponentProps<typeof Radix.Sheet>) {
  const { impl, requestOpen } = useLazyRoot(radix, { open, defaultOpen, onOpenChange });
  if (impl) {
    // Uncontrolled, it starts open (that is what made it wanted); controlled, `open` decides.
    return (
      <Loaded.Provider value={impl}>
        <impl.Sheet open={open} defaultOpen onOpenChange={onOpenChange} {...props} />
      </Loaded.Provider>
    );
  }
  return <RequestOpen.Provider value={requestOpen}>{props.children}</RequestOpen.Provider>;
}

function SheetTrigger(props: React.ComponentProps<typeof Radix.SheetTrigger>) {
  const impl = React.useContext(Loaded);
  const requestOpen = React.useContext(RequestOpen);
  if (impl) return <impl.SheetTrigger {...props} />;
  const { asChild, onClick, onPointerEnter, onFocus, ...rest } = props;
  const Comp = asChild ? Slot.Root : "button";
  const preload = () => void radix.load().catch(() => undefined);
  // The same attributes as Radix's trigger; a click opens the sheet once its code has arrived.
  return (
    <Comp
      type="button"
      aria-haspopup="dialog"
      aria-expanded={false}
      data-state="closed"
      data-slot="sheet-trigger"
      {...rest}
      onPointerEnter={(event: React.PointerEvent<HTMLButtonElement>) => {
        onPointerEnter?.(event);
        preload();
      }}
      onFocus={(event: React.FocusEvent<HTMLButtonElement>) => {
        onFocus?.(event);
        preload();
      }}
      onClick={(event: React.MouseEvent<HTMLButtonElement>) => {
        onClick?.(event);
        if (!event.defaultPrevented) requestOpen?.();
      }}
    />
  );
}

/** A part that only exists inside the open sheet, so only once Radix is there. */
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

const SheetClose = part("SheetClose", (r) => r.SheetClose);
const SheetContent = part("SheetContent", (r) => r.SheetContent);
const SheetTitle = part("SheetTitle", (r) => r.SheetTitle);
const SheetDescription = part("SheetDescription", (r) => r.SheetDescription);

function SheetHeader({ className, ...props }: React.ComponentProps<"div">) {
  return <div data-slot="sheet-header" className={cn("flex flex-col gap-1.5 p-4", className)} {...props} />;
}

function SheetFooter({ className, ...props }: React.ComponentProps<"div">) {
  return <div data-slot="sheet-footer" className={cn("mt-auto flex flex-col gap-2 p-4", className)} {...props} />;
}

export { Sheet, SheetTrigger, SheetClose, SheetContent, SheetHeader, SheetFooter, SheetTitle, SheetDescription };
