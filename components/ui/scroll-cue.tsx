"use client";

import * as React from "react";

import { cn } from "@/lib/utils";

// The shadow on each edge, darkest at the edge itself.
const EDGE_CLASSES = {
  start: "left-0 bg-gradient-to-r from-foreground/20 to-transparent",
  end: "right-0 bg-gradient-to-l from-foreground/20 to-transparent",
} as const;

interface Props extends React.ComponentProps<"div"> {
  /** Classes of the outer (positioned) box; `className` goes to the scrolling box. */
  frameClassName?: string;
  /** An element inside to bring into view sideways on mount and when it changes (e.g. the current tab). */
  activeSelector?: string;
  /** Changes when the active element does (the view), so it is brought into view again. */
  activeKey?: string;
}

/**
 * A box that scrolls sideways and shows it: a shadow on each edge that has more content beyond it,
 * so columns or tabs off screen are never a secret. The frame says which edges have more in
 * `data-scroll-cue` ("none", "start", "end", "both").
 */
export function ScrollCue({ frameClassName, activeSelector, activeKey, className, children, ...props }: Props) {
  const ref = React.useRef<HTMLDivElement>(null);
  const [edges, setEdges] = React.useState({ start: false, end: false });
  React.useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const update = () => {
      const start = el.scrollLeft > 1;
      const end = el.scrollLeft + el.clientWidth < el.scrollWidth - 1;
      setEdges((old) => (old.start === start && old.end === end ? old : { start, end }));
    };
    const active = activeSelector ? el.querySelector<HTMLElement>(activeSelector) : null;
    if (active && el.scrollWidth > el.clientWidth) {
      // Only sideways: scrollIntoView would also move the page.
      const left = active.getBoundingClientRect().left - el.getBoundingClientRect().left + el.scrollLeft;
      el.scrollLeft = Math.max(0, left - (el.clientWidth - active.offsetWidth) / 2);
    }
    update();
    el.addEventListener("scroll", update, { passive: true });
    const resize = new ResizeObserver(update);
    resize.observe(el);
    if (el.firstElementChild) resize.observe(el.firstElementChild);
    return () => {
      el.removeEventListener("scroll", update);
      resize.disconnect();
    };
  }, [activeSelector, activeKey]);
  const cue = edges.start && edges.end ? "both" : edges.start ? "start" : edges.end ? "end" : "none";
  return (
    <div className={cn("relative min-w-0", frameClassName)} data-scroll-cue={cue}>
      {/* Positioned, so absolutely placed descendants (sr-only text) are clipped by the scroll box, not the page. */}
      <div ref={ref} className={cn("relative overflow-x-auto", className)} {...props}>
        {children}
      </div>
      {(["start", "end"] as const).map((edge) => (
        <div
          key={edge}
          aria-hidden="true"
          data-edge={edge}
          className={cn(
            "pointer-events-none absolute inset-y-0 w-6 transition-opacity",
            EDGE_CLASSES[edge],
            edges[edge] ? "opacity-100" : "opacity-0",
          )}
        />
      ))}
    </div>
  );
}
