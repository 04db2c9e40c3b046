import { describe, expect, it } from 'vitest';
import { evaluate } from '../backend/index.js';
import { GraphBuilder } from '../graph/index.js';
import { HostTensor } from '../tensor/index.js';
import { grad } from './grad.js';
import { gradcheck } from './gradcheck.js';

describe('grad', () => {
  it('differentiates a small expression (d/dx of sum(x*x + 3x) = 2x + 3)', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', [3], 'f32', 'param');
    const loss = x.mul(x).add(x.mul(3)).sum();
    const [dx] = grad(loss, [x]);
    if (!dx) throw new Error('loss depends on x');
    const out = await evaluate(b.build({ loss, dx }), {
      x: HostTensor.from('f32', [3], [1, 2, -1]),
    });
    expect(out.loss.item()).toBeCloseTo(1 + 3 + 4 + 6 + 1 - 3);
    expect(out.dx.toArray()).toEqual([5, 7, 1]);
  });

  it('gives no gradient, and builds no backward nodes, for tensors off the path', () => {
    const b = new GraphBuilder();
    const frozen = b.input('w', [4, 4], 'f32', 'frozen');
    const a = b.input('a', [4], 'f32', 'param');
    const h = frozen.matmul(frozen).sum(0);
    const loss = h.mul(a).sum();
    const before = b.nodes.length;
    const [da, dw] = grad(loss, [a, b.input('other', [2])]);
    expect(da).not.toBeNull();
    expect(dw).toBeNull();
    // d loss / d a = h: only the cotangent of mul's second input (h broadcast), a handful of nodes
    const added = b.nodes.slice(before).map((n) => n.op);
    expect(added).not.toContain('matmul');
  });

  it('accumulates cotangents of a tensor used twice', async () => {
    const r = await gradcheck((x) => x.mul(x.exp()).add(x), [{ shape: [2, 3] }]);
    expect(r.maxRelError).toBeLessThan(1e-6);
  });
});
