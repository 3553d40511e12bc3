import { copyProgressText, type CopyProgressInput } from "./copy-progress-text";

/** Where the batch's copy stands, as a phrase ("copying for search and reports: 12 of 1,000 pages"). */
export function CopyProgress({ mirror }: { mirror: CopyProgressInput }) {
  return <>{copyProgressText(mirror)}</>;
}
