// A small listener list whose subscribe returns its own unsubscribe, so subscribing the same
// function twice and unsubscribing once removes exactly one subscription.
export class Listeners<A extends unknown[]> {
  private readonly entries = new Map<symbol, (...args: A) => void>();

  add(listener: (...args: A) => void): () => void {
    const key = Symbol('listener');
    this.entries.set(key, listener);
    return () => {
      this.entries.delete(key);
    };
  }

  /** Calls every listener; one that throws is reported and does not stop the others. */
  emit(args: A, onError: (err: unknown) => void): void {
    for (const listener of [...this.entries.values()]) {
      try {
        listener(...args);
      } catch (err) {
        onError(err);
      }
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
