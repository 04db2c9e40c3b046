import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../../autodiff/index.js';
import { ShapeError } from '../../../errors/index.js';
import { ops } from '../../functional.js';
import { host, run1, trace } from '../test-utils.js';
import { decompositionError, vjpError } from './fused-test-utils.js';

const close = (values: number[]) => values.map((v) => expect.closeTo(v, 5));

describe('log_softmax', () => {
  it('is x minus logsumexp along the axis', async () => {
    const y = await run1((x) => x.logSoftmax(-1), [host([2, 2], [0, Math.log(3), 2, 2])]);
    expect(y.toArray()).toEqual(
      close([Math.log(0.25), Math.log(0.75), Math.log(0.5), Math.log(0.5)]),
    );
    const cols = await run1((x) => ops.logSoftmax(x, 0), [host([2, 1], [0, Math.log(3)])]);
    expect(cols.toArray()).toEqual(close([Math.log(0.25), Math.log(0.75)]));
  });

  it('stays finite where softmax underflows (max subtraction)', async () => {
    const y = await run1((x) => x.logSoftmax(), [host([2], [1000, 0])]);
    expect(y.toArray()).toEqual(close([0, -1000]));
  });

  it('reference kernel equals its decomposition', async () => {
    for (const [shape, axis] of [
      [[6], 0],
      [[3, 4], -1],
      [[2, 3, 4], -2],
    ] as const) {
      const r = await decompositionError((x) => x.logSoftmax(axis), [{ shape }]);
      expect(r.fusedInside).toEqual([]);
      expect(r.error).toBeLessThan(1e-12);
    }
  });

  it('passes gradcheck', async () => {
    expect(
      (await gradcheck((x) => x.logSoftmax(-1), [{ shape: [3, 4] }])).maxRelError,
    ).toBeLessThan(1e-6);
    expect(
      (await gradcheck((x) => x.logSoftmax(0), [{ shape: [3, 2, 2] }])).maxRelError,
    ).toBeLessThan(1e-6);
  });

  it('hand-written VJP agrees with autodiff through the decomposition', async () => {
    expect(await vjpError((x) => x.logSoftmax(-1), [{ shape: [3, 5] }])).toBeLessThan(1e-12);
    expect(await vjpError((x) => x.logSoftmax(1), [{ shape: [2, 4, 3] }])).toBeLessThan(1e-12);
  });

  it('rejects a bad axis or an integer input, naming the op and shape', () => {
    expect(() => trace((x) => x.logSoftmax(-3), [3, 4])).toThrow(ShapeError);
    expect(() => trace((x) => x.logSoftmax(-3), [3, 4])).toThrow(/log_softmax: axis -3 .*\[3, 4\]/);
    expect(() => trace((x) => x.logSoftmax(), [[3], 'i64'])).toThrow(/log_softmax: .*i64\[3\]/);
  });
});
