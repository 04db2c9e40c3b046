import { seededRandom } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { makeExample } from '../example.js';
import { bucketFor, defaultBucketLengths } from './bucket-lengths.js';
import { collate } from './collate.js';
import { packRows } from './pack-rows.js';
import { planBatches } from './plan-batches.js';

describe('bucket lengths', () => {
  it('are powers of two from 32, ending at max_length', () => {
    expect(defaultBucketLengths(1024)).toEqual([32, 64, 128, 256, 512, 1024]);
    expect(defaultBucketLengths(300)).toEqual([32, 64, 128, 256, 300]);
    expect(defaultBucketLengths(20)).toEqual([20]);
    expect(bucketFor(33, [32, 64])).toBe(64);
    expect(() => bucketFor(65, [32, 64])).toThrow(
      'a row of 65 tokens is longer than the largest bucket (64)',
    );
  });
});

describe('planBatches', () => {
  it('makes no more batch shapes than buckets, every example once, whole batches but the last', () => {
    const random = seededRandom(7);
    const lengths = Array.from({ length: 203 }, () => 1 + Math.floor(random() * 300));
    const buckets = [32, 64, 128, 256, 300];
    const batches = planBatches(
      lengths.map((_, i) => [i]),
      ([id]) => lengths[id],
      8,
      buckets,
    );
    const shapes = new Set(batches.map((b) => b.length));
    expect(shapes.size).toBeLessThanOrEqual(buckets.length);
    expect(batches.slice(0, -1).every((b) => b.rows.length === 8)).toBe(true);
    expect(batches.at(-1)?.rows.length).toBe(203 % 8);
    expect(batches.flatMap((b) => b.rows.flat()).sort((a, b) => a - b)).toEqual(
      lengths.map((_, i) => i),
    );
    for (const b of batches)
      for (const [id] of b.rows) expect(lengths[id]).toBeLessThanOrEqual(b.length);
  });

  it('moves the rows that do not fill a batch up to the next bucket', () => {
    const lengths = [10, 10, 10, 50, 50];
    const batches = planBatches(
      lengths.map((_, i) => [i]),
      ([id]) => lengths[id],
      2,
      [32, 64],
    );
    expect(batches).toEqual([
      { rows: [[0], [1]], length: 32 },
      { rows: [[2], [3]], length: 64 },
      { rows: [[4]], length: 64 },
    ]);
  });
});

describe('packRows', () => {
  it('packs best-fit decreasing within the capacity', () => {
    const lengths = [6, 3, 5, 2, 4];
    const rows = packRows([0, 1, 2, 3, 4], (id) => lengths[id], 8);
    expect(rows).toEqual([[0, 3], [2, 1], [4]]);
  });
});

describe('collate', () => {
  const a = makeExample('a:1', [11, 12, 13], [-100, 12, 13]);
  const b = makeExample('b:1', [21, 22], [21, 22]);

  it('pads on the right with positions counting on and labels -100, and counts loss after the shift', () => {
    const batch = collate({ rows: [[0], [1]], length: 4 }, [a, b], {
      batchSize: 3,
      padTokenId: 0,
      packed: false,
    });
    expect(batch.input_ids.shape).toEqual([3, 4]);
    expect(batch.input_ids.toArray()).toEqual([11, 12, 13, 0, 21, 22, 0, 0, 0, 0, 0, 0]);
    expect(batch.labels.toArray()).toEqual([
      -100, 12, 13, -100, 21, 22, -100, -100, -100, -100, -100, -100,
    ]);
    expect(batch.position_ids.toArray()).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
    expect(batch.segment_ids).toBeUndefined();
    expect(batch.supervisedTokens).toBe(2 + 1);
    expect(batch.examples).toEqual([0, 1]);
  });

  it('packs with positions restarting, the first label of each example dropped and segment ids', () => {
    const batch = collate({ rows: [[0, 1]], length: 6 }, [a, b], {
      batchSize: 2,
      padTokenId: 0,
      packed: true,
    });
    expect(batch.input_ids.toArray()).toEqual([11, 12, 13, 21, 22, 0, ...[0, 0, 0, 0, 0, 0]]);
    expect(batch.labels.toArray().slice(0, 6)).toEqual([-100, 12, 13, -100, 22, -100]);
    expect(batch.position_ids.toArray()).toEqual([0, 1, 2, 0, 1, 0, ...[0, 1, 2, 3, 4, 5]]);
    expect(batch.supervisedTokens).toBe(3);
    // the padding after the last example is a segment of its own; an empty row is one segment
    expect(batch.segment_ids?.dtype).toBe('i32');
    expect(batch.segment_ids?.toArray()).toEqual([0, 0, 0, 1, 1, 2, ...[0, 0, 0, 0, 0, 0]]);
  });
});
