// Argument checks shared by the primitives. Bad arguments are programmer errors: they throw
// RangeError / TypeError, which the failure policy never retries.

export function assertFiniteAtLeast(name: string, value: number, min: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new RangeError(`${name} must be a finite number ≥ ${min}, got ${String(value)}`);
  }
}

export function assertFinitePositive(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a finite number > 0, got ${String(value)}`);
  }
}

export function assertIntegerAtLeast(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
}

/** A brownout sample rate is the share of low-priority records deferred: 0 (none) … 1 (all). */
export function assertSampleRate(value: number): void {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new RangeError(`sampleRate must be a number in [0, 1], got ${String(value)}`);
  }
}
