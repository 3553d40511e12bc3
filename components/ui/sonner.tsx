"use client";

import dynamic from "next/dynamic";

// Sonner (about 10 KiB gzip) is not needed to paint a page: the toaster mounts once the page is
// interactive. A toast raised before that is not lost: sonner shows it when its toaster mounts.
// Raise toasts with toast() from ./toast, which loads sonner the same way.
const Toaster = dynamic(() => import("./sonner-toaster").then((module) => module.Toaster), { ssr: false });

export { Toaster };
