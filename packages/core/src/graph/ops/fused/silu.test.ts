import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../../autodiff/index.js';
import { host, run1, trace } from '../test-utils.js';
import { decompositionError, vjpError } from './fused-test-utils.js';

describe('silu', () => {
  it('is x * sigmoid(x), without overflow at either end', async () => {
    const y = await run1((x) => x.silu(), [host([4], [0, Math.log(3), -1000, 1000])]);
    expect(y.toArray()).toEqual([0, expect.closeTo(0.75 * Math.log(3), 6), -0, 1000]);
  });

  it('reference kernel equals its decomposition', async () => {
    const r = await decompositionError((x) => x.silu(), [{ shape: [3, 5] }]);
    expect(r.fusedInside).toEqual(['sigmoid']);
    expect(r.error).toBeLessThan(1e-12);
  });

  it('passes gradcheck, and its one-rule VJP agrees with autodiff through the decomposition', async () => {
    expect((await gradcheck((x) => x.silu(), [{ shape: [2, 3, 4] }])).maxRelError).toBeLessThan(
      1e-6,
    );
    expect(await vjpError((x) => x.silu(), [{ shape: [4, 6] }])).toBeLessThan(1e-12);
  });

  it('rejects an integer input, naming the op', () => {
    expect(() => trace((x) => x.silu(), [[3], 'i32'])).toThrow(/silu: .*i32\[3\]/);
  });
});
