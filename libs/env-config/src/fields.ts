// Reusable field types for parseEnv shapes, each with the message an operator needs.
import { z } from 'zod';

export const env = {
  string: (example: string) => z.string({ error: `expected a value such as ${example}` }).min(1),
  optionalString: () => z.string().min(1).optional(),
  int: (min: number, max: number, fallback: number) =>
    z.coerce
      .number({ error: `expected an integer from ${min} to ${max}` })
      .int({ error: `expected an integer from ${min} to ${max}` })
      .min(min, { error: `expected an integer from ${min} to ${max}` })
      .max(max, { error: `expected an integer from ${min} to ${max}` })
      .default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
      .transform((v) => v === 'true' || v === '1' || v === 'yes')
      .default(fallback),
  oneOf: <T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
    z.enum(values, { error: `expected one of ${values.join(', ')}` }).default(fallback as never),
  list: (example: string) =>
    z
      .string({ error: `expected a comma-separated list such as ${example}` })
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .refine((l) => l.length > 0, { error: `expected a comma-separated list such as ${example}` }),
  secret: (minLength: number) =>
    z
      .string({ error: `expected a secret of at least ${minLength} characters (set it in the environment)` })
      .min(minLength, { error: `expected a secret of at least ${minLength} characters` }),
  /** A regular expression's source, checked to compile (kept as text: callers build the RegExp). */
  regex: (example: string) =>
    z.string().refine(
      (v) => {
        try {
          new RegExp(v);
          return true;
        } catch {
          return false;
        }
      },
      { error: `expected a regular expression such as ${example}` },
    ),
  url: (example: string) =>
    z.string({ error: `expected a URL such as ${example}` }).refine((v) => URL.canParse(v), { error: `expected a URL such as ${example}` }),
};
