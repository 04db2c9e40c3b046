import { describe, expect, it } from 'vitest';
import { evaluate } from '../backend/index.js';
import { erf, GraphBuilder } from '../graph/index.js';
import { HostTensor } from '../tensor/index.js';
import { ACTIVATIONS } from './activations.js';

const xs = [-3, -1, -0.25, 0, 0.5, 2];
const tanhGelu = (x: number) =>
  0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

// The formulas of transformers' activations.py, in f64.
const expected: Record<keyof typeof ACTIVATIONS, (x: number) => number> = {
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  gelu_new: tanhGelu,
  gelu_pytorch_tanh: tanhGelu,
  gelu_fast: (x) => 0.5 * x * (1 + Math.tanh(x * 0.7978845608 * (1 + 0.044715 * x * x))),
  quick_gelu: (x) => x * sigmoid(1.702 * x),
  relu: (x) => Math.max(x, 0),
  silu: (x) => x * sigmoid(x),
  swish: (x) => x * sigmoid(x),
};

describe('ACTIVATIONS', () => {
  it.each(Object.keys(ACTIVATIONS) as (keyof typeof ACTIVATIONS)[])('%s', async (name) => {
    const b = new GraphBuilder();
    const y = ACTIVATIONS[name](b.input('x', [xs.length]));
    const out = await evaluate(
      b.build({ y }),
      { x: HostTensor.from('f32', [xs.length], xs) },
      'f64',
    );
    out.y.toArray().forEach((v, i) => {
      expect(v).toBeCloseTo(expected[name](xs[i]), 8);
    });
  });
});
