import { expect } from 'vitest';
import { UserError } from '../errors/index.js';

/** The fuzz suites' fixed seed: a failure found once is found again on every run. */
export const FUZZ_SEED = 11;

/**
 * The longest one fuzz case may take: a slower case fails, and an async case that never settles is
 * stopped (fast-check's `timeout`), so a hang fails the case instead of stalling the run. Generous,
 * as CI machines are shared.
 */
export const FUZZ_CASE_MS = 5_000;

/**
 * Runs one fuzz case and checks how it ended: in success (its result is returned), or in a
 * UserError whose message matches `place` (the file, line or field it names); any other error,
 * or a case slower than FUZZ_CASE_MS, fails. A UserError returns undefined.
 */
export async function fuzzOutcome<T>(
  run: () => T | Promise<T>,
  place: RegExp,
): Promise<T | undefined> {
  const started = performance.now();
  let result: T | undefined;
  try {
    result = await run();
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    expect(error.message).toMatch(place);
  }
  expect(performance.now() - started).toBeLessThan(FUZZ_CASE_MS);
  return result;
}

/** Fails unless every number in `value` (objects, arrays and typed arrays, deeply) is finite. */
export function expectFinite(value: unknown, path = 'output'): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) expect.fail(`${path} is ${value}`);
  } else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const numbers = value as unknown as ArrayLike<number | bigint>;
    for (let i = 0; i < numbers.length; i++) expectFinite(Number(numbers[i]), `${path}[${i}]`);
  } else if (value instanceof Map) {
    for (const [key, v] of value) expectFinite(v, `${path}.get(${String(key)})`);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) expectFinite(v, `${path}.${key}`);
  }
}
