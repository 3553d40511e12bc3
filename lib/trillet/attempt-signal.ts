/**
 * A signal for one upstream attempt: aborts with a TimeoutError after `ms`, or with the parent's
 * reason when `parent` aborts; `done()` drops the timer and the listener once the attempt is over.
 *
 * Not `AbortSignal.any([parent, AbortSignal.timeout(ms)])`: on Node 20 fetch follows that composite
 * through a weak reference, and once a garbage collection has run its timeout never reaches the
 * request (20 of 20 requests to a server that never answers hung, with GC running), so a hung
 * Trillet would hang a walk forever. Here the timer holds the controller strongly.
 */
export function attemptSignal(parent: AbortSignal | undefined, ms: number): { signal: AbortSignal; done(): void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent?.reason);
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${ms} ms`, "TimeoutError")), ms);
  if (parent?.aborted) onAbort();
  else parent?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    done() {
      clearTimeout(timer);
      parent?.removeEventListener("abort", onAbort);
    },
  };
}
