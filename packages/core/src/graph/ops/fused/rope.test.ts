import { describe, expect, it } from 'vitest';
import { grad, gradcheck } from '../../../autodiff/index.js';
import { ShapeError } from '../../../errors/index.js';
import { GraphBuilder } from '../../builder.js';
import { ops } from '../../functional.js';
import type { Tensor } from '../../tensor.js';
import { host, run1, trace } from '../test-utils.js';
import { decompositionError, vjpError } from './fused-test-utils.js';

const close = (values: number[]) => values.map((v) => expect.closeTo(v, 5));
const rope = (x: Parameters<typeof ops.rope>[0], c: typeof x, s: typeof x) => ops.rope(x, c, s);

describe('rope', () => {
  it('is x * cos + rotate_half(x) * sin, rotate_half([x1, x2]) = [-x2, x1] (HF)', async () => {
    const x = host([1, 4], [1, 2, 3, 4]);
    const y = await run1(rope, [x, host([1, 4], [0.5, 0.5, 0.5, 0.5]), host([1, 4], [2, 2, 2, 2])]);
    expect(y.toArray()).toEqual(close([0.5 - 6, 1 - 8, 1.5 + 2, 2 + 4]));
    // a quarter turn of each pair (x_i, x_{i + D/2})
    const turn = await run1(rope, [x, host([4], [0, 0, 0, 0]), host([4], [1, 1, 1, 1])]);
    expect(turn.toArray()).toEqual(close([-3, -4, 1, 2]));
  });

  it('broadcasts cos and sin over batch and heads', async () => {
    // x [2, 1, 2]: cos/sin [T=1, D=2] shared by both batch rows
    const y = await run1(rope, [
      host([2, 1, 2], [1, 2, 3, 4]),
      host([1, 2], [1, 1]),
      host([1, 2], [1, 1]),
    ]);
    expect(y.toArray()).toEqual(close([1 - 2, 2 + 1, 3 - 4, 4 + 3]));
  });

  it('reference kernel equals its decomposition', async () => {
    const cases: [number[], number[]][] = [
      [
        [3, 4],
        [3, 4],
      ],
      [
        [2, 2, 3, 4],
        [3, 4],
      ],
      [
        [2, 2, 3, 6],
        [2, 1, 3, 6],
      ],
    ];
    for (const [x, cs] of cases) {
      const r = await decompositionError(rope, [{ shape: x }, { shape: cs }, { shape: cs }]);
      expect(r.fusedInside).toEqual([]);
      expect(r.error).toBeLessThan(1e-12);
    }
  });

  it('passes gradcheck for x, cos and sin (broadcast cos/sin gradients summed)', async () => {
    for (const [x, cs] of [
      [
        [3, 4],
        [3, 4],
      ],
      [
        [2, 2, 3, 6],
        [2, 1, 3, 6],
      ],
      // cos and sin broadcast along the last axis too
      [
        [2, 3, 4],
        [3, 1],
      ],
    ]) {
      const r = await gradcheck(rope, [{ shape: x }, { shape: cs }, { shape: cs }]);
      expect(r.maxRelError).toBeLessThan(1e-6);
    }
  });

  it('hand-written VJP agrees with autodiff through the decomposition', async () => {
    expect(
      await vjpError(rope, [{ shape: [3, 4] }, { shape: [3, 4] }, { shape: [3, 4] }]),
    ).toBeLessThan(1e-12);
    expect(
      await vjpError(rope, [{ shape: [2, 3, 2, 8] }, { shape: [2, 8] }, { shape: [2, 8] }]),
    ).toBeLessThan(1e-12);
  });

  it("x's cotangent is one rope of dy, by cos and the swapped, negated sin", () => {
    const b = new GraphBuilder();
    const [x, cos, sin] = [
      [2, 3, 4],
      [3, 4],
      [3, 4],
    ].map((s, i) => b.input(`x${i}`, s));
    const [dx] = grad(rope(x, cos, sin).sum(), [x]);
    const node = b.nodes[(dx as Tensor).id];
    expect(node.op).toBe('rope');
    expect(node.inputs[1]).toBe(cos.id);
  });

  it('rejects an odd head dim or cos/sin that do not broadcast to x', () => {
    const odd = () => trace(rope, [2, 3], [2, 3], [2, 3]);
    expect(odd).toThrow(ShapeError);
    expect(odd).toThrow(/rope: the last axis \(-1\) of x f32\[2, 3\] must be even/);
    expect(() => trace(rope, [2, 3, 4], [2, 4], [3, 4])).toThrow(
      /rope: cos f32\[2, 4\] does not broadcast to x f32\[2, 3, 4\]/,
    );
    expect(() => trace(rope, [3, 4], [3, 4], [1, 3, 4])).toThrow(
      /rope: sin f32\[1, 3, 4\] does not broadcast to x f32\[3, 4\]/,
    );
  });
});
