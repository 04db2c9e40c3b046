import { describe, expect, it } from 'vitest';
import { grad, gradcheck } from '../../autodiff/index.js';
import { evaluate } from '../../backend/index.js';
import { ShapeError } from '../../errors/index.js';
import { GraphBuilder } from '../builder.js';
import { ops } from '../functional.js';
import { host, run1, spread, trace } from './test-utils.js';

const close = (values: readonly number[], digits = 5) =>
  values.map((v) => expect.closeTo(v, digits));
const size = (shape: readonly number[]) => shape.reduce((a, d) => a * d, 1);

describe('binary ops: forward', () => {
  const a = host([4], [1, -2, 3, 0.5]);
  const b = host([4], [2, 4, 3, -1]);
  const cases = {
    add: [3, 2, 6, -0.5],
    sub: [-1, -6, 0, 1.5],
    mul: [2, -8, 9, -0.5],
    div: [0.5, -0.5, 1, -0.5],
    maximum: [2, 4, 3, 0.5],
    minimum: [1, -2, 3, -1],
    equal: [0, 0, 1, 0],
    less: [1, 1, 0, 0],
    greater: [0, 0, 0, 1],
  } as const;
  for (const [op, expected] of Object.entries(cases)) {
    it(op, async () => {
      const y = await run1((x, z) => x[op as keyof typeof cases](z), [a, b]);
      expect(y.dtype).toBe(['equal', 'less', 'greater'].includes(op) ? 'bool' : 'f32');
      expect(y.toArray()).toEqual(close(expected));
    });
  }

  it('pow', async () => {
    const y = await run1((x, z) => x.pow(z), [host([3], [2, 9, 4]), host([3], [3, 0.5, -1])]);
    expect(y.toArray()).toEqual(close([8, 3, 0.25]));
  });

  it('broadcasts [2, 3] with [3] and with a scalar', async () => {
    const x = host([2, 3], [1, 2, 3, 4, 5, 6]);
    const y = await run1((p, q) => p.sub(q).mul(2), [x, host([3], [1, 10, 100])]);
    expect(y.shape).toEqual([2, 3]);
    expect(y.toArray()).toEqual([0, -16, -194, 6, -10, -188]);
  });

  it('broadcasts [2, 1] with [1, 3] to [2, 3]', async () => {
    const y = await run1((p, q) => p.add(q), [host([2, 1], [10, 20]), host([1, 3], [1, 2, 3])]);
    expect(y.shape).toEqual([2, 3]);
    expect(y.toArray()).toEqual([11, 12, 13, 21, 22, 23]);
  });

  it('where picks a where cond holds, broadcasting all three', async () => {
    const cond = host([3], [1, 0, 1], 'bool');
    const y = await run1(
      (c, p, q) => ops.where(c, p, q),
      [cond, host([2, 3], [1, 2, 3, 4, 5, 6]), host([2, 1], [-1, -2])],
    );
    expect(y.shape).toEqual([2, 3]);
    expect(y.toArray()).toEqual([1, -1, 3, 4, -2, 6]);
  });

  it('integer arithmetic stays integer', async () => {
    const y = await run1(
      (p, q) => p.mul(q).add(p),
      [host([3], [2, -3, 4], 'i32'), host([3], [5, 6, -7], 'i32')],
    );
    expect(y.dtype).toBe('i32');
    expect(y.toArray()).toEqual([12, -21, -24]);
  });

  it('maximum at a tie shares the gradient equally (PyTorch)', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', [2]);
    const z = b.input('z', [2]);
    const [dx, dz] = grad(x.maximum(z).sum(), [x, z]);
    if (!dx || !dz) throw new Error('maximum: no gradient');
    const out = await evaluate(b.build({ dx, dz }), {
      x: host([2], [1, 5]),
      z: host([2], [1, 2]),
    });
    expect(out.dx.toArray()).toEqual([0.5, 1]);
    expect(out.dz.toArray()).toEqual([0.5, 0]);
  });
});

describe('binary ops: gradients (finite differences in f64)', () => {
  const pairs: [number[], number[]][] = [
    [
      [2, 3],
      [2, 3],
    ],
    [[2, 3], [3]],
    [
      [2, 1, 4],
      [3, 1],
    ],
    [[], [2, 3]],
  ];
  const label = ([sa, sb]: [number[], number[]]) => `[${sa.join(', ')}] x [${sb.join(', ')}]`;
  for (const op of ['add', 'sub', 'mul', 'maximum', 'minimum'] as const) {
    for (const pair of pairs) {
      it(`${op} ${label(pair)}`, async () => {
        const r = await gradcheck(
          (x, z) => x[op](z),
          pair.map((shape) => ({ shape })),
        );
        expect(r.maxRelError, r.worst).toBeLessThan(1e-6);
      });
    }
  }

  for (const pair of pairs) {
    it(`div ${label(pair)} (denominator away from 0)`, async () => {
      const [sa, sb] = pair;
      const r = await gradcheck(
        (x, z) => x.div(z),
        [{ shape: sa }, { shape: sb, values: spread(size(sb), 0.5, 2) }],
      );
      expect(r.maxRelError, r.worst).toBeLessThan(1e-6);
    });
    it(`pow ${label(pair)} (positive base)`, async () => {
      const [sa, sb] = pair;
      const r = await gradcheck(
        (x, z) => x.pow(z),
        [
          { shape: sa, values: spread(size(sa), 0.5, 2) },
          { shape: sb, values: spread(size(sb), -1.5, 1.5) },
        ],
      );
      expect(r.maxRelError, r.worst).toBeLessThan(1e-6);
    });
  }

  it('where with a broadcast condition', async () => {
    const r = await gradcheck(
      (c, x, z) => ops.where(c, x, z),
      [{ shape: [3], dtype: 'bool', values: [1, 0, 1] }, { shape: [2, 3] }, { shape: [2, 1] }],
    );
    expect(r.maxRelError, r.worst).toBeLessThan(1e-6);
  });

  it('where with scalar branches of a [2, 1, 3] condition', async () => {
    const r = await gradcheck(
      (c, x, z) => ops.where(c, x, z),
      [
        { shape: [2, 1, 3], dtype: 'bool', values: [1, 0, 0, 1, 1, 0] },
        { shape: [] },
        { shape: [4, 1] },
      ],
    );
    expect(r.maxRelError, r.worst).toBeLessThan(1e-6);
  });
});

describe('binary ops: types', () => {
  it('infer the broadcast shape', () => {
    expect(trace((x, z) => x.add(z), [2, 1, 4], [3, 1]).shape).toEqual([2, 3, 4]);
    expect(trace((x, z) => x.less(z), [5], []).dtype).toBe('bool');
  });

  it('name the op and both shapes when shapes do not broadcast', () => {
    const f = () => trace((x, z) => x.add(z), [2, 3], [4]);
    expect(f).toThrow(ShapeError);
    expect(f).toThrow(/add: shapes \[2, 3\] and \[4\] do not broadcast/);
  });

  it('name the op and both dtypes when dtypes differ (f32 + i32)', () => {
    const f = () => trace((x, z) => x.add(z), [[2], 'f32'], [[2], 'i32']);
    expect(f).toThrow(ShapeError);
    expect(f).toThrow(/add: dtypes differ \(f32\[2\], i32\[2\]\)/);
  });

  it('where needs a bool condition', () => {
    const f = () => trace((c, x) => ops.where(c, x, x), [3], [3]);
    expect(f).toThrow(ShapeError);
    expect(f).toThrow(/where: condition must be bool, got f32\[3\]/);
  });

  it('arithmetic is not defined on bool', () => {
    expect(() => trace((x, z) => x.add(z), [[2], 'bool'], [[2], 'bool'])).toThrow(
      /add: not defined on bool\[2\]/,
    );
  });
});
