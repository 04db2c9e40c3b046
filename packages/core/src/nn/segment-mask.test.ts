import { describe, expect, it } from 'vitest';
import { evaluate } from '../backend/index.js';
import { GraphBuilder } from '../graph/index.js';
import { HostTensor } from '../tensor/index.js';
import { segmentMask } from './segment-mask.js';

const H = Number.NEGATIVE_INFINITY;

async function maskOf(segments: number[][], causal: boolean): Promise<number[]> {
  const b = new GraphBuilder();
  const shape = [segments.length, segments[0].length];
  const mask = segmentMask(b.input('s', shape, 'i32'), { causal });
  const out = await evaluate(b.build({ mask }), {
    s: HostTensor.from('i32', shape, segments.flat()),
  });
  expect(out.mask.shape).toEqual([shape[0], 1, shape[1], shape[1]]);
  return out.mask.toArray();
}

describe('segmentMask', () => {
  it('shows a query the keys of its own segment, and with causal only the earlier ones', async () => {
    // row 0: two examples then one padding block; row 1: one example
    expect(
      await maskOf(
        [
          [0, 0, 1],
          [0, 0, 0],
        ],
        false,
      ),
    ).toEqual([...[0, 0, H, 0, 0, H, H, H, 0], ...[0, 0, 0, 0, 0, 0, 0, 0, 0]]);
    expect(
      await maskOf(
        [
          [0, 0, 1],
          [0, 0, 0],
        ],
        true,
      ),
    ).toEqual([...[0, H, H, 0, 0, H, H, H, 0], ...[0, H, H, 0, 0, H, 0, 0, 0]]);
  });
});
