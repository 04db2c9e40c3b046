import { InvalidArgumentError } from 'commander';

// Parsers for option values. commander reports a thrown InvalidArgumentError as
// `error: option '--top-p <p>' argument '1.5' is invalid. <message>` and exits with code 1.

/** An integer in [min, max]. */
export function integerIn(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`Expected an integer ${describeRange(min, max)}.`);
    }
    return n;
  };
}

/** A finite number in [min, max], or in (min, max] when `minExclusive`. */
export function numberIn(min: number, max = Number.POSITIVE_INFINITY, minExclusive = false) {
  return (value: string): number => {
    const n = Number(value);
    if (
      value.trim() === '' ||
      !Number.isFinite(n) ||
      n < min ||
      n > max ||
      (minExclusive && n === min)
    ) {
      throw new InvalidArgumentError(`Expected a number ${describeRange(min, max, minExclusive)}.`);
    }
    return n;
  };
}

/** Collects a repeatable option's values in order. */
export function collect(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}

/** A comma-separated list of some of `allowed` (each named once). */
export function listOf<T extends string>(allowed: readonly T[]) {
  return (value: string): T[] => {
    const items = value.split(',').map((item) => item.trim());
    const unknown = items.find((item) => !allowed.includes(item as T));
    if (unknown !== undefined || items.length === 0)
      throw new InvalidArgumentError(`Expected a comma-separated list of ${allowed.join(', ')}.`);
    return [...new Set(items as T[])];
  };
}

function describeRange(min: number, max: number, minExclusive = false): string {
  const low = `${minExclusive ? '>' : '>='} ${min}`;
  return Number.isFinite(max) && max < Number.MAX_SAFE_INTEGER ? `${low} and <= ${max}` : low;
}
