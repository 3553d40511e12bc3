import "server-only";

import { headers } from "next/headers";
import { cache } from "react";

import { negotiateLocale } from "./locale";

/** This request's locale for numbers (server components; the browser gets it from LocaleProvider). */
export const requestLocale = cache(async (): Promise<string> => negotiateLocale((await headers()).get("accept-language")));
