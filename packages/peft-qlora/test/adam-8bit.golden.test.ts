import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bnbAdamW } from '../src/index.js';
import { bitsOf, bytes, firstDifference, floats } from './golden.js';

/** test/golden/adam-8bit.json, written by scripts/golden-quantization.py: bitsandbytes' AdamW8bit and
 * PagedAdamW32bit on its CPU kernels, several steps per case; arrays are base64 of little-endian bytes. */
interface AdamGolden {
  cases: {
    name: string;
    optim_bits: 8 | 32;
    lr: number;
    weight_decay: number;
    betas: [number, number];
    eps: number;
    state_bits: 8 | 32;
    param: string;
    grads: string[];
    steps: Record<'param' | 'state1' | 'state2' | 'absmax1' | 'absmax2', string>[];
  }[];
}

const golden: AdamGolden = JSON.parse(
  readFileSync(new URL('./golden/adam-8bit.json', import.meta.url), 'utf8'),
);

const sameBytes = (got: Uint8Array, want: Uint8Array) =>
  expect(firstDifference(got, want)).toBe(-1);

describe.each(golden.cases.map((c) => [c.name, c] as const))('bitsandbytes AdamW %s', (_, c) => {
  // small chunks too, so that a chunk boundary inside the tensor is exercised
  it.each([256, 16384])('matches every step byte for byte (chunks of %i)', (chunkSize) => {
    const optimizer = bnbAdamW({
      id: 'golden',
      optimBits: c.optim_bits,
      betas: c.betas,
      eps: c.eps,
      chunkSize,
    });
    const param = floats(c.param).slice();
    c.steps.forEach((want, s) => {
      const slot = {
        name: 'p',
        param,
        grad: floats(c.grads[s]),
        lr: c.lr,
        weightDecay: c.weight_decay,
      };
      optimizer.step([slot], s + 1);
      const state = optimizer.stateDict();
      expect(state['p.state1'].dtype).toBe(c.state_bits === 8 ? 'u8' : 'f32');
      sameBytes(bitsOf(param), bytes(want.param));
      for (const key of ['state1', 'state2', 'absmax1', 'absmax2'] as const) {
        if (want[key] === undefined) continue;
        const got = state[`p.${key}`].data as Float32Array | Uint8Array;
        sameBytes(new Uint8Array(got.buffer, got.byteOffset, got.byteLength), bytes(want[key]));
      }
    });
  });
});
