// Collects conversion problems; a union tries each branch in a child context and keeps only
// the errors of the branch it reports.
export interface FieldError {
  /** Where: '' for the value itself, then `address.zip`, `items[2].qty`, `attrs["a.b"]`. */
  path: string;
  /** What: `expected long, got "abc"`, `required field missing`, `unknown field (…)`. */
  problem: string;
}

export interface FromJsonOptions {
  /** Fields a record's JSON has but its schema does not: 'reject' (default) reports each, 'ignore' drops them. */
  extraFields?: 'reject' | 'ignore';
  /** At most this many errors are reported; default 100. */
  maxErrors?: number;
}

const DEFAULT_MAX_ERRORS = 100;

export class ConversionContext {
  readonly errors: FieldError[] = [];
  readonly extraFields: 'reject' | 'ignore';
  readonly maxErrors: number;

  constructor(opts: FromJsonOptions = {}) {
    this.extraFields = opts.extraFields ?? 'reject';
    this.maxErrors = Math.max(1, opts.maxErrors ?? DEFAULT_MAX_ERRORS);
  }

  get ok(): boolean {
    return this.errors.length === 0;
  }

  add(path: string, problem: string): void {
    if (this.errors.length < this.maxErrors) this.errors.push({ path, problem });
  }

  addAll(errors: readonly FieldError[]): void {
    for (const e of errors) this.add(e.path, e.problem);
  }

  child(): ConversionContext {
    return new ConversionContext({ extraFields: this.extraFields, maxErrors: this.maxErrors });
  }
}
