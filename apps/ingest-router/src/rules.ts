// Data-quality rules of an entity type, compiled once into a validator of decoded payloads.
// A failure is a ValidationError (VALIDATION_FAIL) naming the rule, the field and the value.
import { ValidationError } from '@ingest-mesh/reason-codes';
import { parseFieldPath, resolveFieldPath, type PathSegment } from '@ingest-mesh/field-path';
import type { RouterConfig, Rule } from './router-config.js';

export const RULE_NAMES = ['required', 'min', 'max', 'minLength', 'maxLength', 'pattern', 'enum'] as const;
export type RuleName = (typeof RULE_NAMES)[number];

export interface RuleViolation {
  /** Concrete path of the offending value, e.g. `items[2].qty`. */
  field: string;
  rule: RuleName;
  /** What is wrong, value included (bounded): `value "x@" does not match ^[^@]+@[^@]+$`. */
  problem: string;
}

/** Checks one present (not undefined/null) value; returns the problem, or undefined when it passes. */
type Check = { rule: RuleName; test: (value: unknown) => string | undefined };

interface CompiledRule {
  path: PathSegment[];
  required: boolean;
  checks: Check[];
}

const MAX_VALUE_CHARS = 80;
const MAX_EXTRA_LISTED = 3;

export class RuleSet {
  private readonly compiled: CompiledRule[];

  constructor(rules: readonly Rule[]) {
    this.compiled = rules.map(compileRule);
  }

  get size(): number {
    return this.compiled.length;
  }

  /** Every violation, in rule order; at most one per rule and value. */
  violations(payload: unknown): RuleViolation[] {
    const out: RuleViolation[] = [];
    for (const rule of this.compiled) {
      for (const { path, value } of resolveFieldPath(payload, rule.path)) {
        if (value === undefined || value === null) {
          if (rule.required) out.push({ field: path, rule: 'required', problem: value === null ? 'value is null' : 'value is missing' });
          continue;
        }
        for (const check of rule.checks) {
          const problem = check.test(value);
          if (problem !== undefined) {
            out.push({ field: path, rule: check.rule, problem });
            break;
          }
        }
      }
    }
    return out;
  }

  /** The first violation as a ValidationError (others counted in its message), or undefined. */
  validate(payload: unknown): ValidationError | undefined {
    const all = this.violations(payload);
    const first = all[0];
    if (!first) return undefined;
    let message = `VALIDATION_FAIL: rule "${first.rule}" failed for field "${first.field}": ${first.problem}`;
    if (all.length > 1) {
      const listed = all.slice(1, 1 + MAX_EXTRA_LISTED).map((v) => `rule "${v.rule}" for "${v.field}"`);
      const more = all.length - 1 - listed.length;
      message += ` (and ${all.length - 1} more: ${listed.join(', ')}${more > 0 ? `, …` : ''})`;
    }
    return new ValidationError(message, { field: first.field, rule: first.rule });
  }
}

export function compileRules(rules: readonly Rule[]): RuleSet {
  return new RuleSet(rules);
}

/** One RuleSet per entity type of the config that has rules. */
export function compileEntityRules(config: Pick<RouterConfig, 'entityTypes'>): Map<string, RuleSet> {
  const out = new Map<string, RuleSet>();
  for (const [entityType, route] of Object.entries(config.entityTypes)) {
    if (route.rules && route.rules.length > 0) out.set(entityType, new RuleSet(route.rules));
  }
  return out;
}

function compileRule(rule: Rule): CompiledRule {
  const checks: Check[] = [];
  if (rule.min !== undefined) {
    const min = rule.min;
    checks.push({ rule: 'min', test: (v) => numberProblem(v) ?? (toNumber(v) < min ? `value ${show(v)} is below the minimum ${min}` : undefined) });
  }
  if (rule.max !== undefined) {
    const max = rule.max;
    checks.push({ rule: 'max', test: (v) => numberProblem(v) ?? (toNumber(v) > max ? `value ${show(v)} is above the maximum ${max}` : undefined) });
  }
  if (rule.minLength !== undefined) {
    const min = rule.minLength;
    checks.push({
      rule: 'minLength',
      test: (v) => {
        const n = lengthOf(v);
        if (n === undefined) return `value ${show(v)} is not a string or a list`;
        return n < min ? `value ${show(v)} has length ${n}, below the minimum length ${min}` : undefined;
      },
    });
  }
  if (rule.maxLength !== undefined) {
    const max = rule.maxLength;
    checks.push({
      rule: 'maxLength',
      test: (v) => {
        const n = lengthOf(v);
        if (n === undefined) return `value ${show(v)} is not a string or a list`;
        return n > max ? `value ${show(v)} has length ${n}, above the maximum length ${max}` : undefined;
      },
    });
  }
  if (rule.pattern !== undefined) {
    const regex = new RegExp(rule.pattern);
    const source = bound(rule.pattern, 2 * MAX_VALUE_CHARS);
    checks.push({
      rule: 'pattern',
      test: (v) => {
        if (typeof v !== 'string') return `value ${show(v)} is not a string`;
        return regex.test(v) ? undefined : `value ${show(v)} does not match ${source}`;
      },
    });
  }
  if (rule.enum !== undefined) {
    const allowed = new Set<unknown>(rule.enum);
    const listed = bound(rule.enum.map((a) => JSON.stringify(a)).join(', '), 2 * MAX_VALUE_CHARS);
    checks.push({
      rule: 'enum',
      test: (v) => (allowed.has(typeof v === 'bigint' ? Number(v) : v) ? undefined : `value ${show(v)} is not one of ${listed}`),
    });
  }
  return { path: parseFieldPath(rule.field), required: rule.required === true, checks };
}

function numberProblem(v: unknown): string | undefined {
  return typeof v === 'number' || typeof v === 'bigint' ? undefined : `value ${show(v)} is not a number`;
}

function toNumber(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

/** Characters (code points) of a string, elements of a list, bytes of a byte array. */
function lengthOf(v: unknown): number | undefined {
  if (typeof v === 'string') {
    let n = 0;
    for (const _ of v) n++;
    return n;
  }
  if (Array.isArray(v)) return v.length;
  if (v instanceof Uint8Array) return v.byteLength;
  return undefined;
}

/** The value as JSON-ish text, at most MAX_VALUE_CHARS characters. */
export function show(v: unknown): string {
  let text: string;
  if (typeof v === 'bigint') text = v.toString();
  else if (v instanceof Uint8Array) text = `<${v.byteLength} bytes>`;
  else if (v instanceof Date) text = Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
  else {
    try {
      text = JSON.stringify(v) ?? String(v);
    } catch {
      text = String(v);
    }
  }
  return bound(text, MAX_VALUE_CHARS);
}

function bound(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
