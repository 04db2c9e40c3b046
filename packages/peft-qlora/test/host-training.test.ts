import {
  type AnyOptimizer,
  adamw,
  buildTrainStep,
  GraphBuilder,
  HostTensor,
  ReferenceBackend,
  TrainStepRunner,
} from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { bnbAdamW } from '../src/index.js';

// A linear layer big enough for 8-bit states (64 x 80 = 5120 >= min_8bit_size) and a small bias.
const IN = 80;
const OUT = 64;
const seq = (n: number, f: (i: number) => number) =>
  Float32Array.from({ length: n }, (_, i) => f(i));
const weights = () => ({
  w: new HostTensor(
    'f32',
    [IN, OUT],
    seq(IN * OUT, (i) => Math.sin(i) * 0.05),
  ),
  bias: new HostTensor(
    'f32',
    [OUT],
    seq(OUT, (i) => Math.cos(i) * 0.01),
  ),
  x: new HostTensor(
    'f32',
    [4, IN],
    seq(4 * IN, (i) => Math.sin(i * 0.37)),
  ),
});

async function train(optimizer: AnyOptimizer): Promise<{ losses: number[]; w: number[] }> {
  const b = new GraphBuilder();
  const w = b.input('w', [IN, OUT], 'f32', 'param');
  const bias = b.input('bias', [OUT], 'f32', 'param');
  const x = b.input('x', [4, IN], 'f32', 'frozen');
  const y = x.matmul(w).add(bias).sub(0.5);
  const step = buildTrainStep(y.mul(y).mean(), {
    optimizer,
    groups: [{ lr: 1e-2, weight_decay: 0.01, match: (n) => n === 'w' }, { lr: 1e-2 }],
  });
  const runner = TrainStepRunner.create(new ReferenceBackend(), step, weights());
  const losses: number[] = [];
  for (let s = 0; s < 8; s++) losses.push((await runner.run({})).loss);
  return { losses, w: (await runner.params()).w.toArray() };
}

describe('bitsandbytes AdamW on the host, through the step runner', () => {
  it('paged_adamw_32bit follows torch AdamW (the same maths up to where eps is added)', async () => {
    const torch = await train(adamw());
    const paged = await train(
      bnbAdamW({ id: 'paged_adamw_32bit', optimBits: 32, betas: [0.9, 0.999], eps: 1e-8 }),
    );
    for (const [i, loss] of torch.losses.entries()) expect(paged.losses[i]).toBeCloseTo(loss, 5);
    for (const [i, v] of torch.w.entries()) expect(paged.w[i]).toBeCloseTo(v, 5);
  });

  it('adamw_8bit follows torch AdamW to within its 8-bit state rounding', async () => {
    const torch = await train(adamw());
    const eight = await train(
      bnbAdamW({ id: 'adamw_8bit', optimBits: 8, betas: [0.9, 0.999], eps: 1e-8 }),
    );
    expect(eight.losses.at(-1)).toBeLessThan(0.8 * eight.losses[0]);
    for (const [i, loss] of torch.losses.entries())
      expect(Math.abs(eight.losses[i] - loss)).toBeLessThan(1e-3 * loss);
    // but not equal to it: the states are rounded to 8 bits
    expect(eight.w).not.toEqual(torch.w);
  });
});
