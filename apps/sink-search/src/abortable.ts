// Waiting for a search-engine request, bounded by an AbortSignal.
/**
 * Stops waiting for the client's request when the signal aborts (shutdown, the breaker's
 * timeout): the caller gets the signal's reason at once. The request itself is not aborted — the
 * client's abort() of a request in flight surfaces its RequestAbortedError as an uncaught
 * exception (opensearch-js 3.x) — it ends on its own within requestTimeout, result ignored. A
 * write it completes is harmless: the record comes again and meets the external version.
 */
export async function abortable<T>(request: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return request;
  signal.throwIfAborted();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([request, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
    request.then(undefined, () => undefined);
  }
}
