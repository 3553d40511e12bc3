/** The control that opens a call's panel carries this key, so focus can return to it. */
export function callFocusKey(jobId: string): string {
  return `call-${jobId}`;
}
