import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";

import { SiteHeader } from "@/components/app-shell/site-header";
import { UserMenu } from "@/components/app-shell/user-menu";
import { FocusRestorer } from "@/components/data-table/focus-restorer";
import { LocaleProvider } from "@/components/locale-provider";
import { ThemeProvider } from "@/components/theme-provider";
import { Toaster } from "@/components/ui/sonner";
import { currentUser } from "@/lib/auth/guards";
import { requestLocale } from "@/lib/locale-server";

import "./globals.css";

export const metadata: Metadata = {
  title: {
    template: "%s · Batchboard",
    default: "Batchboard",
  },
  description: "Launch and monitor outbound call batches: live progress, outcomes and failures at a glance.",
  // Files in public/ (proxy.ts lets them through signed out, as a browser asks before sign-in).
  manifest: "/manifest.webmanifest",
  icons: {
    icon: [
      { url: "/favicon.ico", sizes: "any" },
      { url: "/icon.svg", type: "image/svg+xml" },
    ],
    apple: "/apple-touch-icon.png",
  },
};

export const viewport: Viewport = {
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ffffff" },
    { media: "(prefers-color-scheme: dark)", color: "#0a0a0a" },
  ],
};

export default async function RootLayout({ children }: Readonly<{ children: React.ReactNode }>) {
  // The per-request CSP nonce from proxy.ts: next-themes' inline script must carry it.
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  const user = await currentUser();
  const locale = await requestLocale();
  return (
    <html lang="en" suppressHydrationWarning>
      {/* System font stack (Tailwind's font-sans); next/font is not used because it needs network. */}
      <body className="flex min-h-dvh flex-col bg-background font-sans text-foreground antialiased">
        <ThemeProvider nonce={nonce}>
          <LocaleProvider locale={locale}>
            <a
              href="#main"
              className="sr-only focus:not-sr-only focus:fixed focus:top-3 focus:left-3 focus:z-50 focus:rounded-md focus:border focus:bg-background focus:px-3 focus:py-2 focus:text-sm focus:font-medium focus:shadow-md focus:ring-2 focus:ring-ring focus:ring-offset-2 focus:ring-offset-background focus:outline-none"
            >
              Skip to content
            </a>
            <SiteHeader>{user ? <UserMenu user={user} /> : null}</SiteHeader>
            <main id="main" tabIndex={-1} className="flex flex-1 flex-col outline-none">
              {children}
            </main>
            <Toaster />
            <FocusRestorer />
          </LocaleProvider>
        </ThemeProvider>
      </body>
    </html>
  );
}
