import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../../autodiff/index.js';
import { ShapeError } from '../../../errors/index.js';
import { ops } from '../../functional.js';
import { host, run1, trace } from '../test-utils.js';
import { decompositionError, vjpError } from './fused-test-utils.js';

const close = (values: number[]) => values.map((v) => expect.closeTo(v, 6));

describe('softmax', () => {
  it('normalizes exponentials along the axis', async () => {
    const y = await run1((x) => x.softmax(-1), [host([2, 2], [0, Math.log(3), 5, 5])]);
    expect(y.toArray()).toEqual(close([0.25, 0.75, 0.5, 0.5]));
    const cols = await run1((x) => ops.softmax(x, 0), [host([2, 2], [0, 1, Math.log(3), 1])]);
    expect(cols.toArray()).toEqual(close([0.25, 0.5, 0.75, 0.5]));
  });

  it('is stable for large inputs (max subtraction)', async () => {
    const y = await run1((x) => x.softmax(), [host([3], [1000, 1000, -1000])]);
    expect(y.toArray()).toEqual(close([0.5, 0.5, 0]));
  });

  it('reference kernel equals its decomposition', async () => {
    for (const [shape, axis] of [
      [[5], 0],
      [[3, 4], -1],
      [[2, 3, 4], 1],
      [[2, 3, 4], 0],
    ] as const) {
      const r = await decompositionError((x) => x.softmax(axis), [{ shape }]);
      expect(r.fusedInside).toEqual([]);
      expect(r.error).toBeLessThan(1e-12);
    }
  });

  it('passes gradcheck', async () => {
    expect((await gradcheck((x) => x.softmax(-1), [{ shape: [3, 4] }])).maxRelError).toBeLessThan(
      1e-6,
    );
    expect((await gradcheck((x) => x.softmax(1), [{ shape: [2, 3, 2] }])).maxRelError).toBeLessThan(
      1e-6,
    );
  });

  it('hand-written VJP agrees with autodiff through the decomposition', async () => {
    expect(await vjpError((x) => x.softmax(-1), [{ shape: [3, 5] }])).toBeLessThan(1e-12);
    expect(await vjpError((x) => x.softmax(0), [{ shape: [4, 2, 3] }])).toBeLessThan(1e-12);
  });

  it('rejects a bad axis or an integer input, naming the op and shape', () => {
    expect(() => trace((x) => x.softmax(2), [3, 4])).toThrow(ShapeError);
    expect(() => trace((x) => x.softmax(2), [3, 4])).toThrow(/softmax: axis 2 .*\[3, 4\]/);
    expect(() => trace((x) => x.softmax(), [[3], 'i32'])).toThrow(/softmax: .*i32\[3\]/);
  });
});
