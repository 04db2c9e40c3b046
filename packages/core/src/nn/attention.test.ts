import { describe, expect, it } from 'vitest';
import { evaluate } from '../backend/index.js';
import { GraphBuilder, type Tensor } from '../graph/index.js';
import { HostTensor } from '../tensor/index.js';
import { AttentionPlan } from './attention.js';

// With q = 0 every visible key scores the same, so each output is the mean of the visible values:
// which keys a query sees can be read off the output.

async function meanOfVisible(opts: {
  values: number[];
  mask?: number[];
  segments?: number[];
  cache?: { past: number[]; slots: number[] };
  slidingWindow?: number;
}): Promise<{ y: number[]; written?: number[] }> {
  const seq = opts.values.length;
  const keys = opts.cache ? opts.cache.past.length : seq;
  const b = new GraphBuilder();
  const feeds: Record<string, HostTensor> = {};
  const input = (name: string, data: HostTensor): Tensor => {
    feeds[name] = data;
    return b.input(name, data.shape, data.dtype);
  };
  const v = input('v', HostTensor.from('f32', [1, 1, seq, 1], opts.values));
  const mask = opts.mask && input('mask', HostTensor.from('f32', [1, 1, seq, keys], opts.mask));
  const segments =
    opts.segments && input('segments', HostTensor.from('i32', [1, seq], opts.segments));
  const cache = opts.cache && {
    positions: input('slots', HostTensor.from('i32', [seq], opts.cache.slots)),
    key: input('past_k', HostTensor.zeros('f32', [1, 1, keys, 1])),
    value: input('past_v', HostTensor.from('f32', [1, 1, keys, 1], opts.cache.past)),
  };
  const plan = new AttentionPlan(b, {
    seq,
    mask,
    segments,
    cache: cache && { positions: cache.positions, length: keys },
  });
  const q = b.constant(0, [1, 1, seq, 1]);
  const { y, present } = plan.attend(q, v, v, {
    scale: 1,
    slidingWindow: opts.slidingWindow,
    cache,
  });
  const outputs: Record<string, Tensor> = { y };
  if (present) outputs.written = present.value;
  const out = await evaluate(b.build(outputs), feeds);
  return { y: out.y.toArray(), written: out.written?.toArray() };
}

describe('AttentionPlan', () => {
  it('without a cache or mask, attention is causal; a sliding window hides keys W or more behind', async () => {
    expect((await meanOfVisible({ values: [0, 1, 2, 3] })).y).toEqual([0, 0.5, 1, 1.5]);
    expect((await meanOfVisible({ values: [0, 1, 2, 3], slidingWindow: 2 })).y).toEqual([
      0, 0.5, 1.5, 2.5,
    ]);
  });

  it("the caller's mask replaces the causal rule", async () => {
    const allVisible = new Array(9).fill(0);
    expect((await meanOfVisible({ values: [0, 3, 6], mask: allVisible })).y).toEqual([3, 3, 3]);
  });

  it('with segment ids, a token sees the earlier tokens of its own segment only', async () => {
    const values = [0, 3, 6, 1, 5];
    const segments = [0, 0, 0, 1, 1];
    expect((await meanOfVisible({ values, segments })).y).toEqual([0, 1.5, 3, 1, 3]);
    expect((await meanOfVisible({ values, segments, slidingWindow: 2 })).y).toEqual([
      0, 1.5, 4.5, 1, 3,
    ]);
  });

  it('writes the new values at the cache slots and, without a mask, shows slots up to each position', async () => {
    const { y, written } = await meanOfVisible({
      values: [10, 20],
      cache: { past: [1, 2, 3, 4, 5], slots: [1, 3] },
    });
    expect(written).toEqual([1, 10, 3, 20, 5]);
    // slot 1 sees [1, 10]; slot 3 sees [1, 10, 3, 20]
    expect(y).toEqual([5.5, 8.5]);
    const windowed = await meanOfVisible({
      values: [10, 20],
      cache: { past: [1, 2, 3, 4, 5], slots: [1, 3] },
      slidingWindow: 2,
    });
    expect(windowed.y).toEqual([5.5, 11.5]); // slot 3 sees slots 2 and 3 only
  });
});
