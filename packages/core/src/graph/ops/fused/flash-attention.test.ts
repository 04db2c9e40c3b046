import { describe, expect, it } from 'vitest';
import { grad, gradcheck } from '../../../autodiff/index.js';
import { evaluate } from '../../../backend/index.js';
import { ShapeError } from '../../../errors/index.js';
import { GraphBuilder } from '../../builder.js';
import { ops } from '../../functional.js';
import type { Tensor } from '../../tensor.js';
import { host, run1, trace } from '../test-utils.js';
import { decompositionError, vjpError } from './fused-test-utils.js';

const close = (values: number[]) => values.map((v) => expect.closeTo(v, 5));
const attend =
  (opts: { scale?: number; causal?: boolean } = {}) =>
  (q: Tensor, k: Tensor, v: Tensor, mask?: Tensor) =>
    ops.causalAttention(q, k, v, { ...opts, mask });
const qkv = (q: number[], kv: number[]) => [{ shape: q }, { shape: kv }, { shape: kv }];
/** The fused op itself, with y and lse packed. */
const flash =
  (opts: { causal?: boolean } = {}) =>
  (q: Tensor, k: Tensor, v: Tensor, mask?: Tensor) =>
    q.builder.apply('flash_attention', mask ? [q, k, v, mask] : [q, k, v], {
      scale: 0.7,
      causal: opts.causal ?? true,
    });
const NEG = Number.NEGATIVE_INFINITY;
type Cases = [string, Parameters<typeof decompositionError>[1], { causal?: boolean }][];
// shapes that cross the reference kernel's key blocks (16), hidden rows, GQA, prefixes, masks
const CASES: Cases = [
  ['self-attention', qkv([1, 1, 3, 4], [1, 1, 3, 4]), {}],
  ['grouped-query', qkv([2, 4, 3, 4], [2, 2, 3, 4]), {}],
  ['prefix', qkv([1, 2, 2, 4], [1, 1, 5, 4]), {}],
  ['many key blocks', qkv([1, 2, 37, 3], [1, 1, 37, 3]), {}],
  ['mask with prefix', [...qkv([2, 2, 3, 2], [2, 1, 5, 2]), { shape: [2, 1, 3, 5] }], {}],
  [
    'not causal, Tk < Tq',
    [...qkv([1, 2, 4, 3], [1, 2, 2, 3]), { shape: [4, 2] }],
    { causal: false },
  ],
  [
    'fully masked row',
    [...qkv([1, 1, 2, 2], [1, 1, 2, 2]), { shape: [2, 2], values: [0, 0, NEG, NEG] }],
    {},
  ],
  [
    // query 0 sees key 0 only, which the mask hides; the key it leaves visible is in the future
    'masked row under causality',
    [...qkv([1, 1, 2, 2], [1, 1, 2, 2]), { shape: [2, 2], values: [NEG, 0, 0, 0] }],
    {},
  ],
  [
    'boolean mask hiding a row, 40 keys',
    [...qkv([1, 2, 3, 2], [1, 1, 40, 2]), { shape: [3, 1], dtype: 'bool', values: [1, 0, 1] }],
    { causal: false },
  ],
];

describe('flash_attention (ops.causalAttention)', () => {
  it('attends to the past only, softmax over q k^T * scale', async () => {
    // query 0 sees key 0 only; query 1 scores [0, ln 3], so weights [1/4, 3/4]
    const q = host([1, 1, 2, 1], [5, 1]);
    const k = host([1, 1, 2, 1], [0, Math.log(3)]);
    const v = host([1, 1, 2, 1], [4, 8]);
    const y = await run1(attend({ scale: 1 }), [q, k, v]);
    expect(y.shape).toEqual([1, 1, 2, 1]);
    expect(y.toArray()).toEqual(close([4, 7]));
    // the default scale is 1/sqrt(D): with D = 1 the same
    expect((await run1(attend(), [q, k, v])).toArray()).toEqual(close([4, 7]));
  });

  it('lets every query see a prefix of Tk - Tq keys', async () => {
    // one query, three keys: it sees all three (j <= 0 + 2), uniform weights
    const y = await run1(attend(), [
      host([1, 1, 1, 1], [1]),
      host([1, 1, 3, 1], [0, 0, 0]),
      host([1, 1, 3, 1], [3, 6, 9]),
    ]);
    expect(y.toArray()).toEqual(close([6]));
  });

  it('maps query head h to kv head floor(h / (Hq / Hkv)), as HF repeat_kv', async () => {
    const y = await run1(attend(), [
      host([1, 4, 1, 1], [1, 2, 3, 4]),
      host([1, 2, 1, 1], [0, 0]),
      host([1, 2, 1, 1], [10, 20]),
    ]);
    expect(y.toArray()).toEqual([10, 10, 20, 20]);
  });

  it('adds the mask, and a fully masked row gives 0, not NaN', async () => {
    const q = host([1, 1, 2, 1], [1, 1]);
    const k = host([1, 1, 2, 1], [0, 0]);
    const v = host([1, 1, 2, 1], [3, 5]);
    const mask = host(
      [2, 2],
      [Number.NEGATIVE_INFINITY, 0, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY],
    );
    const y = await run1(attend({ causal: false }), [q, k, v, mask]);
    expect(y.toArray()).toEqual([5, 0]);
  });

  it('gives finite gradients through a fully masked row (zero for its query)', async () => {
    const b = new GraphBuilder();
    const [q, k, v] = [
      [1, 1, 2, 2],
      [1, 1, 2, 2],
      [1, 1, 2, 2],
    ].map((s, i) => b.input(`x${i}`, s));
    const mask = b.constant([0, 0, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY], [2, 2]);
    const y = ops.causalAttention(q, k, v, { mask });
    const grads = grad(y.sum(), [q, k, v]).map((g) => g as Tensor);
    const feed = host([1, 1, 2, 2], [0.5, -1, 2, 0.25]);
    const out = await evaluate(b.build({ dq: grads[0], dk: grads[1], dv: grads[2] }), {
      x0: feed,
      x1: feed,
      x2: feed,
    });
    for (const g of Object.values(out)) expect(g.toArray().every(Number.isFinite)).toBe(true);
    expect(out.dq.toArray().slice(2)).toEqual([0, 0]);
    expect(out.dv.toArray()).toEqual([1, 1, 0, 0]);
  });

  it('reference kernel (online softmax over key blocks) equals its decomposition', async () => {
    for (const [name, specs, opts] of CASES) {
      const r = await decompositionError(flash(opts), specs);
      expect(r.fusedInside, name).toEqual(['softmax', 'stop_gradient']);
      expect(r.error, name).toBeLessThan(1e-12);
      expect(r.y.some(Number.isNaN), name).toBe(false);
    }
  });

  it('keeps the log-sum-exp of each row, +inf for a row that sees no key', async () => {
    const y = await run1(flash({ causal: false }), [
      host([1, 1, 2, 1], [1, 1]),
      host([1, 1, 2, 1], [0, Math.log(3) / 0.7]),
      host([1, 1, 2, 1], [4, 8]),
      host([2, 1], [0, NEG]),
    ]);
    // row 0: scores [0, ln 3], y = 7, lse = ln 4; row 1 sees nothing
    const [y0, lse0, y1, lse1] = y.toArray();
    expect([y0, lse0, y1]).toEqual(close([7, Math.log(4), 0]));
    expect(lse1).toBe(Number.POSITIVE_INFINITY);
  });

  it('its VJP (flash_attention_backward from the saved lse) equals autodiff of the dense form', async () => {
    for (const [name, specs, opts] of CASES) {
      expect(await vjpError(flash(opts), specs), name).toBeLessThan(1e-10);
    }
  });

  it('flash_attention_backward: reference kernel equals its decomposition', async () => {
    const backward =
      (opts: { causal?: boolean }) =>
      (q: Tensor, k: Tensor, v: Tensor, dout: Tensor, mask?: Tensor) => {
        const attrs = { scale: 0.7, causal: opts.causal ?? true };
        const inputs = mask ? [q, k, v, mask] : [q, k, v];
        const out = ops.stopGradient(q.builder.apply('flash_attention', inputs, attrs));
        const rest = mask ? [out, dout, mask] : [out, dout];
        return q.builder.apply('flash_attention_backward', [q, k, v, ...rest], attrs);
      };
    for (const [name, [q, k, v, mask], opts] of CASES) {
      const [b, h, t, d] = q.shape;
      const specs = [q, k, v, { shape: [b, h, t, d + 1] }, ...(mask ? [mask] : [])];
      const r = await decompositionError(backward(opts), specs);
      expect(r.error, name).toBeLessThan(1e-12);
      expect(r.y.every(Number.isFinite), name).toBe(true);
    }
  });

  it('passes gradcheck in f64 for q, k, v and an additive mask (through its VJP)', async () => {
    const cases: [string, Parameters<typeof gradcheck>[1], { causal?: boolean }][] = [
      ['plain', qkv([1, 2, 3, 4], [1, 2, 3, 4]), {}],
      ['grouped-query with prefix', qkv([1, 4, 2, 3], [1, 2, 4, 3]), {}],
      ['mask', [...qkv([2, 2, 3, 2], [2, 1, 3, 2]), { shape: [1, 1, 3, 3] }], {}],
      [
        'not causal, mask',
        [...qkv([1, 2, 2, 2], [1, 1, 3, 2]), { shape: [1, 2, 1, 3] }],
        { causal: false },
      ],
      ['many key blocks', qkv([1, 2, 20, 2], [1, 1, 20, 2]), {}],
      [
        'boolean mask hiding a row',
        [...qkv([1, 2, 3, 2], [1, 1, 4, 2]), { shape: [3, 1], dtype: 'bool', values: [1, 0, 1] }],
        { causal: false },
      ],
    ];
    for (const [name, specs, opts] of cases) {
      const r = await gradcheck(attend(opts), specs);
      expect(r.maxRelError, `${name}: ${r.worst}`).toBeLessThan(1e-6);
    }
  });

  it('rejects bad shapes, naming the op and the shapes', () => {
    const heads = () => trace(attend(), [1, 3, 2, 4], [1, 2, 2, 4], [1, 2, 2, 4]);
    expect(heads).toThrow(ShapeError);
    expect(heads).toThrow(
      /flash_attention: query heads .* q f32\[1, 3, 2, 4\], k f32\[1, 2, 2, 4\]/,
    );
    expect(() => trace(attend(), [1, 1, 3, 4], [1, 1, 2, 4], [1, 1, 2, 4])).toThrow(
      /flash_attention: causal .* keys .*q f32\[1, 1, 3, 4\], k f32\[1, 1, 2, 4\]/,
    );
    expect(() => trace(attend(), [1, 1, 2, 4], [1, 1, 2, 4], [1, 1, 2, 4], [3, 2])).toThrow(
      /flash_attention: mask f32\[3, 2\] does not broadcast to .*\[1, 1, 2, 2\]/,
    );
    expect(() => trace(attend(), [2, 4], [2, 4], [2, 4])).toThrow(
      /flash_attention: .*\[B, H, T, D\].*q f32\[2, 4\]/,
    );
    expect(() => trace(attend(), [1, 1, 2, 4], [1, 1, 2, 4], [1, 1, 2, 3])).toThrow(
      /flash_attention: k and v .*v f32\[1, 1, 2, 3\]/,
    );
    expect(() => trace(attend(), [1, 1, 2, 4], [1, 1, 2, 3], [1, 1, 2, 3])).toThrow(
      /flash_attention: head dims/,
    );
  });
});
