// Polling for conditions that a real system reaches asynchronously, with a bounded wait.

/**
 * Polls `probe` (sync or async) until it returns a value other than undefined; fails naming
 * `what` after `timeoutMs`. The one polling loop of the tests: harnesses wrap it, never copy it.
 */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
