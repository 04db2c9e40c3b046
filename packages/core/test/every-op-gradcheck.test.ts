import { describe, expect, it } from 'vitest';
import { evaluate, GraphBuilder, grad, gradcheck, HostTensor, seededRandom } from '../src/index.js';
import { fillInput, OP_CASES } from '../src/testing/index.js';

// Every op of the closed set, on every conformance case, against central finite differences in
// f64: normwise relative error below 1e-6. (Non-differentiable ops must give zero gradients.)
describe('finite-difference gradient check of every op', () => {
  for (const [op, cases] of Object.entries(OP_CASES)) {
    if (op === 'stop_gradient') continue; // differs from finite differences by design: below
    for (const c of cases) {
      it(`${op} ${c.name}`, async () => {
        const random = seededRandom(99);
        const inputs = c.inputs.map((input) => ({
          shape: input.shape,
          dtype: input.dtype,
          values: fillInput(input, random).toFloat64(),
        }));
        const { maxRelError, worst } = await gradcheck(c.build, inputs);
        expect(maxRelError, worst).toBeLessThan(1e-6);
      });
    }
  }

  it('stop_gradient: d/dx [stop_gradient(x) * x] = x, not the 2x finite differences see', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', [5], 'f32', 'param');
    const [dx] = grad(OP_CASES.stop_gradient[0].build(x).sum(), [x]);
    if (!dx) throw new Error('no gradient');
    const values = [0.5, -1, 2, 3, -0.25];
    const out = await evaluate(b.build({ dx }), { x: HostTensor.from('f32', [5], values) });
    expect(out.dx.toArray()).toEqual(values);
  });
});
