import { describe, expect, it } from 'vitest';
import { gradcheck } from '../../autodiff/index.js';
import { ShapeError } from '../../errors/index.js';
import { erf } from './erf.js';
import { host, run1, spread, trace } from './test-utils.js';

const close = (values: readonly number[], digits = 5) =>
  values.map((v) => expect.closeTo(v, digits));

describe('unary ops: forward', () => {
  const xs = [-2, -0.5, 0.25, 1, 3];
  const cases = {
    neg: [2, 0.5, -0.25, -1, -3],
    exp: xs.map(Math.exp),
    sin: xs.map(Math.sin),
    cos: xs.map(Math.cos),
    tanh: xs.map(Math.tanh),
    erf: [
      -0.9953222650189527, -0.5204998778130465, 0.2763263901682369, 0.8427007929497149,
      0.9999779095030014,
    ],
    abs: [2, 0.5, 0.25, 1, 3],
    sign: [-1, -1, 1, 1, 1],
  } as const;
  for (const [op, expected] of Object.entries(cases)) {
    it(`${op}`, async () => {
      const y = await run1((x) => x[op as keyof typeof cases](), [host([5], xs)]);
      expect(y.shape).toEqual([5]);
      expect(y.toArray()).toEqual(close(expected));
    });
  }

  it('log, sqrt and reciprocal of positive values', async () => {
    const x = host([4], [0.25, 1, 4, 9]);
    expect((await run1((t) => t.log(), [x])).toArray()).toEqual(
      close([-1.3862944, 0, 1.3862944, 2.1972246]),
    );
    expect((await run1((t) => t.sqrt(), [x])).toArray()).toEqual(close([0.5, 1, 2, 3]));
    expect((await run1((t) => t.reciprocal(), [x])).toArray()).toEqual(close([4, 1, 0.25, 1 / 9]));
  });

  it('erf agrees with its series on small arguments', () => {
    // erf x = 2/sqrt(pi) (x - x^3/3 + x^5/10 - x^7/42)
    const x = 0.1;
    const series = (2 / Math.sqrt(Math.PI)) * (x - x ** 3 / 3 + x ** 5 / 10 - x ** 7 / 42);
    expect(erf(x)).toBeCloseTo(series, 10);
    expect(erf(-x)).toBeCloseTo(-series, 10);
  });

  it('neg and abs keep integer dtypes', async () => {
    const y = await run1((x) => x.neg().abs(), [host([3], [-3, 0, 7], 'i32')]);
    expect(y.dtype).toBe('i32');
    expect(y.toArray()).toEqual([3, 0, 7]);
  });

  it('cast truncates to integers and maps non-zero to true', async () => {
    const x = host([4], [-1.7, -0.2, 0, 2.9]);
    const i = await run1((t) => t.cast('i32'), [x]);
    expect(i.dtype).toBe('i32');
    expect(i.toArray()).toEqual([-1, 0, 0, 2]);
    const b = await run1((t) => t.cast('bool'), [x]);
    expect(b.dtype).toBe('bool');
    expect(b.toArray()).toEqual([1, 1, 0, 1]);
    const back = await run1((t) => t.cast('f32'), [host([2], [3, -4], 'i32')]);
    expect(back.dtype).toBe('f32');
    expect(back.toArray()).toEqual([3, -4]);
  });
});

describe('unary ops: gradients (finite differences in f64)', () => {
  const shapes = [[5], [2, 3], [2, 1, 3]];
  const n = (shape: number[]) => shape.reduce((a, d) => a * d, 1);
  const eachShape = (name: string, fn: (shape: number[]) => Promise<void>) => {
    for (const shape of shapes) it(`${name} on [${shape.join(', ')}]`, () => fn(shape));
  };
  const cases = {
    neg: [-2, 2],
    exp: [-2, 2],
    log: [0.2, 3],
    sqrt: [0.2, 3],
    reciprocal: [0.3, 3],
    sin: [-3, 3],
    cos: [-3, 3],
    tanh: [-2, 2],
    erf: [-2, 2],
  } as const;
  for (const [op, [lo, hi]] of Object.entries(cases)) {
    eachShape(op, async (shape) => {
      const r = await gradcheck(
        (x) => x[op as keyof typeof cases](),
        [{ shape, values: spread(n(shape), lo, hi) }],
      );
      expect(r.maxRelError, r.worst).toBeLessThan(1e-6);
    });
  }

  eachShape('abs away from 0', async (shape) => {
    const values = spread(n(shape), 0.2, 2).map((v, i) => (i % 2 ? -v : v));
    const r = await gradcheck((x) => x.abs(), [{ shape, values }]);
    expect(r.maxRelError, r.worst).toBeLessThan(1e-6);
  });

  eachShape('cast f32 to f32', async (shape) => {
    const r = await gradcheck(
      (x) => x.builder.apply('cast', [x], { dtype: 'f32' }).mul(x),
      [{ shape }],
    );
    expect(r.maxRelError, r.worst).toBeLessThan(1e-6);
  });
});

describe('unary ops: types', () => {
  it('keep shape and dtype', () => {
    const y = trace((x) => x.exp().tanh(), [[2, 3], 'f16']);
    expect(y.shape).toEqual([2, 3]);
    expect(y.dtype).toBe('f16');
  });

  it('reject integer inputs where floats are needed, naming the op and the tensor', () => {
    expect(() => trace((x) => x.exp(), [[2, 3], 'i32'])).toThrow(ShapeError);
    expect(() => trace((x) => x.exp(), [[2, 3], 'i32'])).toThrow(/exp.*i32\[2, 3\]/);
    expect(() => trace((x) => x.neg(), [[4], 'bool'])).toThrow(/neg.*bool\[4\]/);
  });

  it('cast changes only the dtype', () => {
    const y = trace((x) => x.cast('bf16'), [3, 1]);
    expect(y.shape).toEqual([3, 1]);
    expect(y.dtype).toBe('bf16');
  });
});
