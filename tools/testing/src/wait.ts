// Polling for conditions that a real system reaches asynchronously, with a bounded wait.

/** How long past the deadline a check that has not answered is given before waitFor gives up on it. */
export const HUNG_CHECK_GRACE_MS = 5_000;

/**
 * Polls `probe` (sync or async) until it returns a value other than undefined; fails naming
 * `what` after `timeoutMs`. The one polling loop of the tests: harnesses wrap it, never copy it.
 * A check that never answers (a request without a timeout of its own) fails it too, shortly after
 * the deadline and saying so, instead of leaving the test to vitest's timeout with no word of what hung.
 */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await answered(
      probe(),
      deadline + HUNG_CHECK_GRACE_MS,
      () => `timed out after ${timeoutMs} ms waiting for ${what}: its check did not answer`,
    );
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

async function answered<T>(check: T | Promise<T>, by: number, message: () => string): Promise<T> {
  if (!(check instanceof Promise)) return check;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message())), Math.max(0, by - Date.now()))));
  try {
    return await Promise.race([check, hung]);
  } finally {
    clearTimeout(timer);
  }
}
