import { describe, expect, it } from 'vitest';
import { gradcheck, seededRandom } from '../src/index.js';
import { fillInput, OP_CASES } from '../src/testing/index.js';

// Every op of the closed set, on every conformance case, against central finite differences in
// f64: normwise relative error below 1e-6. (Non-differentiable ops must give zero gradients.)
describe('finite-difference gradient check of every op', () => {
  for (const [op, cases] of Object.entries(OP_CASES)) {
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
});
