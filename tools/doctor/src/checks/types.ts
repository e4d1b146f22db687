// One row of `mesh doctor`'s table: what was checked, where, and what was found.
export type Status = 'pass' | 'fail' | 'skip';

export interface CheckRow {
  /** Area: config, kafka, topic, registry, postgres, redis, search. */
  area: string;
  /** What exactly: a topic, a subject, a table, a variable. */
  name: string;
  status: Status;
  detail: string;
}

export const pass = (area: string, name: string, detail: string): CheckRow => ({ area, name, status: 'pass', detail });
export const fail = (area: string, name: string, detail: string): CheckRow => ({ area, name, status: 'fail', detail });
export const skip = (area: string, name: string, detail: string): CheckRow => ({ area, name, status: 'skip', detail });

/** A failure's message, one line, without credentials in URLs. */
export function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text
    .split('\n')[0]!
    .replace(/(\w+:\/\/[^:/@\s]+:)[^@\s]+@/g, '$1***@')
    .slice(0, 200);
}

/** Rejects after `ms` with "timed out after <ms> ms" (the doctor never hangs on a dead host). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
