"use client";

import { createContext, useContext, type ReactNode } from "react";

import { FALLBACK_LOCALE } from "@/lib/locale";

const LocaleContext = createContext(FALLBACK_LOCALE);

/** The request's locale (chosen on the server from Accept-Language), the same on both sides. */
export function LocaleProvider({ locale, children }: { locale: string; children: ReactNode }) {
  return <LocaleContext.Provider value={locale}>{children}</LocaleContext.Provider>;
}

/** The viewer's locale for numbers. */
export function useLocale(): string {
  return useContext(LocaleContext);
}
