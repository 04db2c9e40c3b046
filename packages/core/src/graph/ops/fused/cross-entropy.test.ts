import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../../autodiff/index.js';
import { ShapeError, UserError } from '../../../errors/index.js';
import type { DType } from '../../dtype.js';
import { ops } from '../../functional.js';
import type { Reduction } from '../../op-name.js';
import type { Tensor } from '../../tensor.js';
import { host, run1, trace } from '../test-utils.js';
import { decompositionError, type Spec, vjpError } from './fused-test-utils.js';

type Opts = { ignore_index?: number; label_smoothing?: number; reduction?: Reduction };
const ce =
  (opts: Opts = {}) =>
  (logits: Tensor, labels: Tensor) =>
    ops.crossEntropy(logits, labels, opts);
const labelsOf = (values: number[], dtype: DType = 'i32'): Spec => ({
  shape: [values.length],
  dtype,
  values,
});

// logits [[0, ln 3], [0, ln 3]]: p = [1/4, 3/4] on each row
const logits = host([2, 2], [0, Math.log(3), 0, Math.log(3)]);
const l1 = Math.log(4 / 3); // -log p[1]
const l0 = Math.log(4); // -log p[0]

describe('cross_entropy', () => {
  it('is the mean negative log-likelihood of the labels (F.cross_entropy)', async () => {
    const labels = host([2], [1, 0], 'i32');
    expect((await run1(ce(), [logits, labels])).item()).toBeCloseTo((l1 + l0) / 2, 6);
    expect((await run1(ce({ reduction: 'sum' }), [logits, labels])).item()).toBeCloseTo(l1 + l0, 6);
    const none = await run1(ce({ reduction: 'none' }), [logits, host([2], [1, 0], 'i64')]);
    expect(none.shape).toEqual([2]);
    expect(none.dtype).toBe('f32');
    expect(none.toArray()).toEqual([l1, l0].map((v) => expect.closeTo(v, 6)));
  });

  it('skips ignored rows and averages over the rest; all ignored gives NaN for mean (as PyTorch)', async () => {
    const labels = host([2], [-100, 0], 'i32');
    expect((await run1(ce(), [logits, labels])).item()).toBeCloseTo(l0, 6);
    expect((await run1(ce({ reduction: 'none' }), [logits, labels])).toArray()).toEqual([
      0,
      expect.closeTo(l0, 6),
    ]);
    const custom = await run1(ce({ ignore_index: 0 }), [logits, host([2], [1, 0], 'i32')]);
    expect(custom.item()).toBeCloseTo(l1, 6);
    const none = host([2], [-100, -100], 'i32');
    expect((await run1(ce(), [logits, none])).item()).toBeNaN();
    expect((await run1(ce({ reduction: 'sum' }), [logits, none])).item()).toBe(0);
  });

  it('with label smoothing eps: (1 - eps) * nll + eps * mean over classes of -log p', async () => {
    const y = await run1(ce({ label_smoothing: 0.5, reduction: 'none' }), [
      logits,
      host([2], [1, 0], 'i32'),
    ]);
    const smooth = (l0 + l1) / 2;
    expect(y.toArray()).toEqual(
      [0.5 * l1 + 0.5 * smooth, 0.5 * l0 + 0.5 * smooth].map((v) => expect.closeTo(v, 6)),
    );
  });

  it('is stable for large logits (max subtraction)', async () => {
    const y = await run1(ce(), [host([1, 2], [1000, 0]), host([1], [1], 'i32')]);
    expect(y.item()).toBeCloseTo(1000, 3);
  });

  it('fails on a label outside [0, C), naming the row and the label', async () => {
    const run = () => run1(ce(), [logits, host([2], [1, 2], 'i32')]);
    await expect(run()).rejects.toThrow(UserError);
    await expect(run()).rejects.toThrow(/cross_entropy: row 1 has label 2, outside .*\[0, 2\)/);
  });

  const configs: [string, Opts, Spec][] = [
    ['mean', {}, labelsOf([0, 3, 4, 2])],
    ['mean, ignored rows', {}, labelsOf([0, -100, 4, -100])],
    [
      'sum, smoothing, ignored rows',
      { reduction: 'sum', label_smoothing: 0.1 },
      labelsOf([1, -100, 4, 2], 'i64'),
    ],
    ['none, smoothing', { reduction: 'none', label_smoothing: 0.25 }, labelsOf([3, 3, 0, 1])],
    [
      'none, smoothing, ignored rows',
      { reduction: 'none', label_smoothing: 0.1 },
      labelsOf([-100, 3, 0, -100]),
    ],
    [
      'mean, smoothing, ignore_index 2',
      { label_smoothing: 0.2, ignore_index: 2 },
      labelsOf([2, 0, 2, 1]),
    ],
  ];

  it('reference kernel equals its decomposition', async () => {
    for (const [name, opts, labels] of configs) {
      const r = await decompositionError(ce(opts), [{ shape: [4, 5] }, labels]);
      // 'mean' and 'sum' reduce the rows of the op with reduction 'none' (decomposed in turn)
      expect(r.fusedInside, name).toEqual(opts.reduction === 'none' ? [] : ['cross_entropy']);
      expect(r.error, name).toBeLessThan(1e-12);
    }
  });

  it('cross_entropy_backward: reference kernel equals its decomposition', async () => {
    for (const [name, opts, labels] of configs) {
      const attrs = { ignore_index: -100, label_smoothing: 0, reduction: 'mean' as const, ...opts };
      const dy: Spec = { shape: attrs.reduction === 'none' ? [4] : [] };
      const backward = (x: Tensor, y: Tensor, d: Tensor) =>
        x.builder.apply('cross_entropy_backward', [x, y, d], attrs);
      const r = await decompositionError(backward, [{ shape: [4, 5] }, labels, dy]);
      expect(r.fusedInside, name).toEqual(['softmax']);
      expect(r.error, name).toBeLessThan(1e-12);
    }
  });

  it('passes gradcheck for the logits', async () => {
    for (const [name, opts, labels] of configs) {
      const r = await gradcheck(ce(opts), [{ shape: [4, 5] }, labels]);
      expect(r.maxRelError, `${name}: ${r.worst}`).toBeLessThan(1e-6);
    }
    const r = await gradcheck(ce({ label_smoothing: 0.3 }), [
      { shape: [2, 3] },
      labelsOf([2, -100]),
    ]);
    expect(r.maxRelError).toBeLessThan(1e-6);
  });

  it('hand-written VJP agrees with autodiff through the decomposition', async () => {
    for (const [name, opts, labels] of configs) {
      expect(await vjpError(ce(opts), [{ shape: [4, 5] }, labels]), name).toBeLessThan(1e-12);
    }
  });

  it('rejects bad shapes and attributes, naming the op and the shapes', () => {
    const rank = () => trace(ce(), [6], [[6], 'i32']);
    expect(rank).toThrow(ShapeError);
    expect(rank).toThrow(/cross_entropy: .*logits f32\[6\], labels i32\[6\]/);
    expect(() => trace(ce(), [3, 4], [[2], 'i32'])).toThrow(
      /cross_entropy: .*logits f32\[3, 4\], labels i32\[2\]/,
    );
    expect(() => trace(ce(), [3, 4], [3])).toThrow(
      /cross_entropy: indices must be i32 or i64, got f32\[3\]/,
    );
    expect(() => trace(ce({ label_smoothing: 1.5 }), [3, 4], [[3], 'i32'])).toThrow(
      /cross_entropy: label_smoothing/,
    );
  });
});
