// Reading an ioredis pipeline's replies. exec() resolves even when commands fail (each reply is
// [error, result]), so every reply must be checked; a missing reply counts as a failure too.

export type PipelineReplies = [error: Error | null, result: unknown][] | null;

export interface ReadReplies {
  /** codes[i] is the integer reply of command i, or undefined when that command failed. */
  codes: (number | undefined)[];
  /** The first failure, if any command failed. */
  error: unknown;
}

export function readIntegerReplies(replies: PipelineReplies, expected: number): ReadReplies {
  const codes: (number | undefined)[] = [];
  let error: unknown;
  for (let i = 0; i < expected; i++) {
    const reply = replies?.[i];
    if (!reply) {
      error ??= new Error(`pipeline returned no reply for command ${i + 1} of ${expected}`);
      codes.push(undefined);
    } else if (reply[0]) {
      error ??= reply[0];
      codes.push(undefined);
    } else if (typeof reply[1] !== 'number') {
      error ??= new Error(`unexpected reply ${String(reply[1])} for command ${i + 1} of ${expected}`);
      codes.push(undefined);
    } else {
      codes.push(reply[1]);
    }
  }
  return { codes, error };
}

/** Distinct keys in first-seen order, and for each input position the index of its key. */
export function distinctKeys(keys: readonly string[]): { unique: string[]; indexOf: number[] } {
  const positions = new Map<string, number>();
  const unique: string[] = [];
  const indexOf = keys.map((key) => {
    if (typeof key !== 'string' || key.length === 0) throw new TypeError(`idempotency keys must be non-empty strings; got ${String(key)}`);
    let at = positions.get(key);
    if (at === undefined) {
      at = unique.push(key) - 1;
      positions.set(key, at);
    }
    return at;
  });
  return { unique, indexOf };
}
