import { describe, expect, it } from 'vitest';
import { grad } from '../../../autodiff/index.js';
import { evaluate } from '../../../backend/index.js';
import { GraphBuilder } from '../../builder.js';
import { ops } from '../../functional.js';
import { decompose } from '../../passes/index.js';
import { host } from '../test-utils.js';

describe('stop_gradient', () => {
  it('passes values through and blocks the gradient: d/dx [stop(x) * x] = stop(x)', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', [3]);
    const y = ops.stopGradient(x).mul(x).sum();
    const [dx] = grad(y, [x]);
    const feeds = { x: host([3], [1, -2, 3]) };
    const out = await evaluate(b.build({ y, dx: dx as NonNullable<typeof dx> }), feeds);
    expect(out.y.item()).toBe(14);
    expect(out.dx.toArray()).toEqual([1, -2, 3]); // without the stop it would be 2x
  });

  it('has no gradient at all when it is the only path', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [2]);
    expect(grad(ops.stopGradient(x).exp().sum(), [x])).toEqual([null]);
  });

  it('decomposes to its input, so backends need no kernel', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [2]);
    const graph = decompose(b.build({ y: ops.stopGradient(x).add(1) }), () => false);
    expect(graph.nodes.map((n) => n.op)).not.toContain('stop_gradient');
  });
});
