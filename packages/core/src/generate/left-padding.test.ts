import { describe, expect, it } from 'vitest';
import { inputIds, LeftPaddedBatch } from './left-padding.js';

const _ = Number.NEGATIVE_INFINITY;

describe('LeftPaddedBatch', () => {
  // prompts of 1 and 3 tokens at width 3: row 0 is [pad, pad, a], row 1 [b, c, d]
  const batch = new LeftPaddedBatch([1, 3], 3);

  it('hides pad slots and future slots from every query', () => {
    expect(Array.from(batch.attentionMask(0, 3, 5).data)).toEqual([
      ...[_, _, _, _, _, _, _, _, _, _, _, _, 0, _, _], // row 0: pad queries see nothing
      ...[0, _, _, _, _, 0, 0, _, _, _, 0, 0, 0, _, _],
    ]);
    expect(batch.attentionMask(3, 1, 5).shape).toEqual([2, 1, 1, 5]);
    expect(Array.from(batch.attentionMask(3, 1, 5).data)).toEqual([_, _, 0, 0, _, 0, 0, 0, 0, _]);
  });

  it('counts positions over real tokens only, pads at 0', () => {
    expect(Array.from(batch.positionIds(0, 3).data)).toEqual([0, 0, 0, 0, 1, 2]);
    expect(Array.from(batch.positionIds(3, 2).data)).toEqual([1, 2, 3, 4]);
  });

  it('puts a prefix of N cache slots first: every query sees it, positions count from N', () => {
    // N = 2 prefix slots, then row 0 [pad, pad, a], row 1 [b, c, d]: cache slots 0..6
    const prefixed = new LeftPaddedBatch([1, 3], 3, 2);
    expect(Array.from(prefixed.attentionMask(0, 3, 6).data)).toEqual([
      ...[0, 0, _, _, _, _, 0, 0, _, _, _, _, 0, 0, _, _, 0, _], // row 0: pads see the prefix only
      ...[0, 0, 0, _, _, _, 0, 0, 0, 0, _, _, 0, 0, 0, 0, 0, _],
    ]);
    expect(Array.from(prefixed.attentionMask(3, 1, 6).data)).toEqual([
      0,
      0,
      _,
      _,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
    ]);
    expect(Array.from(prefixed.positionIds(0, 3).data)).toEqual([2, 2, 2, 2, 3, 4]);
    expect(Array.from(prefixed.positionIds(3, 1).data)).toEqual([3, 5]);
  });

  it('reads the tokens of a window of slots', () => {
    const ids = inputIds(
      [
        [0, 0, 5, 6],
        [7, 8, 9, 1],
      ],
      2,
      2,
    );
    expect(ids.shape).toEqual([2, 2]);
    expect(Array.from(ids.data)).toEqual([5, 6, 9, 1]);
  });
});
