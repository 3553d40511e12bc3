import { useLocale } from "@/components/locale-provider";

import { copyProgressText, type CopyProgressInput } from "./copy-progress-text";

/** Where the batch's copy stands, as a phrase ("copying for search and reports: 12 of 1,000 pages"). */
export function CopyProgress({ mirror }: { mirror: CopyProgressInput }) {
  const locale = useLocale();
  return <>{copyProgressText(mirror, locale)}</>;
}
