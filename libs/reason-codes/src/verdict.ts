// What a client-specific matcher concludes about an error: a reason code, and, where the
// kind of failure makes retrying pointless (bad credentials), a retryable override.
import type { ReasonCode } from './codes.js';

export interface Verdict {
  code: ReasonCode;
  /** Set only to override the code's default (REASON_CODES[code].retryable). */
  retryable?: boolean;
}

/** A verdict with `retryable` resolved from the code's default where the matcher left it out. */
export type ResolvedVerdict = Required<Verdict>;

/**
 * A matcher inspects one family of errors and answers undefined when it is not its kind.
 * `classifyCause` classifies a wrapped error, for families that wrap (kafkajs).
 */
export type Matcher = (err: object, classifyCause: (cause: unknown) => ResolvedVerdict) => Verdict | undefined;

/**
 * Reads a property of an unknown error without trusting its shape. classify() runs inside
 * catch blocks, so a throwing getter (or Proxy) must not make it throw.
 */
export function prop(err: object, key: string): unknown {
  try {
    return (err as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

export function stringProp(err: object, key: string): string | undefined {
  const value = prop(err, key);
  return typeof value === 'string' ? value : undefined;
}

/** Looks a key up in a table of verdicts, ignoring inherited properties ("constructor"…). */
export function lookup(table: Readonly<Record<string, Verdict>>, key: string | undefined): Verdict | undefined {
  return key !== undefined && Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}
