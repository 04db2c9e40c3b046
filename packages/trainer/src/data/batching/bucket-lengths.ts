import { UserError } from '@tunekit/core';

/** The smallest default bucket: shorter rows are padded to it. */
const SMALLEST = 32;

/**
 * Powers of two from 32 below `maxLength`, then `maxLength` itself: every row fits one, and a
 * row is padded to less than twice its length, with one compiled graph per bucket.
 */
export function defaultBucketLengths(maxLength: number): number[] {
  const lengths: number[] = [];
  for (let length = SMALLEST; length < maxLength; length *= 2) lengths.push(length);
  return [...lengths, maxLength];
}

/** The smallest bucket (ascending `buckets`) that holds `length` tokens. */
export function bucketFor(length: number, buckets: readonly number[]): number {
  const bucket = buckets.find((b) => b >= length);
  if (bucket === undefined) {
    throw new UserError(
      `a row of ${length} tokens is longer than the largest bucket (${buckets[buckets.length - 1]})`,
    );
  }
  return bucket;
}
