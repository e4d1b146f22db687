// zod issues → one line each, naming the path inside the config file and what was expected:
// `entityTypes.order.rules[1].pattern: not a valid regular expression: …`.
import type { z } from 'zod';

/** Keys printed bare (`a.b`); anything else is quoted (`a["b c"]`). */
export const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface FormatPathOptions {
  /** Which string keys are written bare after a dot; default `PLAIN_KEY` (letters, digits, `_`). */
  plainKey?: RegExp;
}

export interface DescribeIssueOptions {
  /**
   * How an `invalid_value` issue (enum/literal mismatch) reads:
   * - `'message'` (default): the schema's own message; when it starts with "expected", `, got <value>` is added;
   * - `'values'`: `expected one of "a", "b", got <value>`, listing the allowed values.
   */
  invalidValue?: 'message' | 'values';
}

export type FormatIssuesOptions = FormatPathOptions & DescribeIssueOptions;

/** `entityTypes.order.rules[1].pattern`; keys that are not plain names are quoted: `entityTypes["a b"]`; `[]` is `(top level)`. */
export function formatPath(segments: readonly PropertyKey[], options: FormatPathOptions = {}): string {
  const plainKey = options.plainKey ?? PLAIN_KEY;
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'string' && plainKey.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(String(s))}]`;
  }
  return out === '' ? '(top level)' : out;
}

/** What went wrong, without the path. Parse with `{ reportInput: true }` so that "got …" can name the value. */
export function describeIssue(issue: z.core.$ZodIssue, options: DescribeIssueOptions = {}): string {
  switch (issue.code) {
    case 'invalid_type':
      // Schemas carry their own "expected …" messages; add what was found.
      return `${issue.message.startsWith('expected') ? issue.message : `expected ${issue.expected}`}, got ${describeValue(issue.input)}`;
    case 'invalid_key':
      return issue.issues.map((i) => i.message).join('; ');
    case 'unrecognized_keys':
      return `unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_value':
      if (options.invalidValue === 'values')
        return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(issue.input)}`;
      return issue.message.startsWith('expected') ? `${issue.message}, got ${describeValue(issue.input)}` : issue.message;
    default:
      return issue.message;
  }
}

/** A value as a message shows it: `nothing`, `null`, `a list`, `a map`, or `<type> <JSON>` cut at 60 characters. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  const shown = JSON.stringify(value);
  return `${typeof value} ${shown.length > 60 ? `${shown.slice(0, 60)}…` : shown}`;
}

/** One `path: problem` line per issue, in zod's order. */
export function formatIssues(error: { readonly issues: readonly z.core.$ZodIssue[] }, options: FormatIssuesOptions = {}): string[] {
  return error.issues.map((issue) => `${formatPath(issue.path, options)}: ${describeIssue(issue, options)}`);
}
