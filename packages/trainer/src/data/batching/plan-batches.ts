import { bucketFor } from './bucket-lengths.js';

/** A batch before its tensors are built: rows of example ids, padded to `length` tokens. */
export interface PlannedBatch {
  /** One list of example ids per row (one id unless packed); fewer rows than the batch size only in a padded last batch. */
  readonly rows: readonly (readonly number[])[];
  readonly length: number;
}

/**
 * Groups rows into batches of `batchSize` rows padded to a bucket length, so every batch has one
 * of `buckets.length` shapes. Rows go to the bucket that fits them, in their given order; the
 * rows of a bucket that do not fill a whole batch move up to the next bucket (padded longer)
 * rather than make a smaller batch; the rows left over at the end make one batch, in the bucket
 * of its longest row, that the collator pads with empty rows.
 */
export function planBatches(
  rows: readonly (readonly number[])[],
  rowLength: (row: readonly number[]) => number,
  batchSize: number,
  buckets: readonly number[],
): PlannedBatch[] {
  const byBucket = new Map<number, (readonly number[])[]>(buckets.map((b) => [b, []]));
  for (const row of rows) byBucket.get(bucketFor(rowLength(row), buckets))?.push(row);
  const batches: PlannedBatch[] = [];
  let carried: (readonly number[])[] = [];
  for (const length of buckets) {
    const pool = [...carried, ...(byBucket.get(length) ?? [])];
    const whole = pool.length - (pool.length % batchSize);
    for (let i = 0; i < whole; i += batchSize)
      batches.push({ rows: pool.slice(i, i + batchSize), length });
    carried = pool.slice(whole);
  }
  if (carried.length > 0) {
    const longest = Math.max(...carried.map(rowLength));
    batches.push({ rows: carried, length: bucketFor(longest, buckets) });
  }
  return batches;
}
