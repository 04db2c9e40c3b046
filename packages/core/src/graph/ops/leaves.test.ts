import { describe, expect, it } from 'vitest';
import { evaluate } from '../../backend/index.js';
import { ShapeError, UserError } from '../../errors/index.js';
import { GraphBuilder } from '../builder.js';
import { ops } from '../functional.js';
import { uniformAt } from './counter-rng.js';
import { host, run1 } from './test-utils.js';

describe('leaf ops', () => {
  it('constant fills a shape from one value or from row-major values', async () => {
    const b = new GraphBuilder();
    const filled = b.constant(2.5, [2, 2]);
    const listed = b.constant([1, 2, 3, 4, 5, 6], [2, 3], 'i32');
    const out = await evaluate(b.build({ filled, listed }), {});
    expect(out.filled.shape).toEqual([2, 2]);
    expect(out.filled.toArray()).toEqual([2.5, 2.5, 2.5, 2.5]);
    expect(out.listed.dtype).toBe('i32');
    expect(out.listed.toArray()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('constant rejects a value list that does not fill its shape', () => {
    const b = new GraphBuilder();
    expect(() => b.constant([1, 2, 3], [2, 2])).toThrow(ShapeError);
    expect(() => b.constant([1, 2, 3], [2, 2])).toThrow(
      /constant: 3 values do not fill shape \[2, 2\]/,
    );
  });

  it('scalar constants are shared per value and dtype', () => {
    const b = new GraphBuilder();
    expect(b.scalar(1).id).toBe(b.scalar(1).id);
    expect(b.scalar(1).id).not.toBe(b.scalar(1, 'i32').id);
    expect(b.scalar(0).id).not.toBe(b.scalar(-0).id);
  });

  it('arange counts from 0 in the given dtype', async () => {
    const b = new GraphBuilder();
    const r = b.arange(5);
    const f = b.arange(3, 'f32');
    const out = await evaluate(b.build({ r, f }), {});
    expect(out.r.dtype).toBe('i32');
    expect(out.r.toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(out.f.dtype).toBe('f32');
    expect(out.f.toArray()).toEqual([0, 1, 2]);
  });

  it('an input passes its fed value through, and an unfed input is a UserError naming it', async () => {
    const y = await run1((x) => x, [host([2], [3, 4])]);
    expect(y.toArray()).toEqual([3, 4]);
    const b = new GraphBuilder();
    const x = b.input('tokens', [2]);
    await expect(evaluate(b.build({ y: x.add(1) }), {})).rejects.toThrow(UserError);
    await expect(evaluate(b.build({ y: x.add(1) }), {})).rejects.toThrow(/tokens/);
  });

  it('random_uniform follows the counter-based generator, in [0, 1), and depends on the seed', async () => {
    const draw = (seed: number) =>
      run1((s) => ops.randomUniform(s, [4, 25]), [host([], [seed], 'i32')]);
    const a = await draw(7);
    const again = await draw(7);
    const other = await draw(8);
    expect(a.shape).toEqual([4, 25]);
    expect(a.dtype).toBe('f32');
    const values = a.toArray();
    expect(values).toEqual(values.map((_, i) => uniformAt(7, i)));
    expect(again.toArray()).toEqual(values);
    expect(other.toArray()).not.toEqual(values);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(mean).toBeGreaterThan(0.35);
    expect(mean).toBeLessThan(0.65);
  });

  it('random_uniform needs an i32 scalar seed', () => {
    const b = new GraphBuilder();
    const seed = b.input('seed', [1], 'i32');
    expect(() => ops.randomUniform(seed, [3])).toThrow(ShapeError);
    expect(() => ops.randomUniform(seed, [3])).toThrow(
      /random_uniform: seed must be an i32 scalar, got i32\[1\]/,
    );
  });
});
