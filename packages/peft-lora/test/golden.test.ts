import { PeftModel } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import {
  FIXTURES,
  LORA_OPTIONS,
  lossAndGrads,
  maxAbsDiff,
  readGolden,
  tinyLlama,
} from './helpers.js';

// Golden values from scripts/golden/make_lora_golden.py: a tiny Llama and PEFT adapter folders, with
// logits and gradients computed in PyTorch from LoRA's, rsLoRA's and DoRA's papers, not from tunekit.
describe.each(['lora', 'rslora', 'dora'])('%s against PyTorch', (name) => {
  it('loads the PEFT folder and matches its logits, loss and adapter gradients', async () => {
    const golden = await readGolden(name);
    const peft = await PeftModel.fromPretrained(await tinyLlama(), `${FIXTURES}${name}`, {
      ...LORA_OPTIONS,
      isTrainable: true,
    });
    const params = peft.adapterParameters();
    expect([...params.keys()].sort()).toEqual(Object.keys(golden.grads).sort());
    const got = await lossAndGrads(peft.model, golden.input_ids, golden.labels, params);
    // the tiny model's projections (4 to 32 wide) and adapter products fuse per shared input
    expect(got.fused).toBeGreaterThan(0);
    expect(got.logits.shape).toEqual(golden.logits.shape);
    expect(maxAbsDiff(got.logits.toFloat64(), golden.logits.data)).toBeLessThan(1e-4);
    expect(Math.abs(got.loss - golden.loss)).toBeLessThan(1e-4);
    for (const [key, want] of Object.entries(golden.grads)) {
      const g = got.grads.get(key);
      expect(g?.shape, key).toEqual(want.shape);
      expect(maxAbsDiff(g?.toFloat64() ?? [], want.data), key).toBeLessThan(1e-4);
    }
  });
});
