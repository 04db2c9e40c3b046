import {
  buildCausalLM,
  HostTensor,
  Linear,
  PeftModel,
  randomNormal,
  seededRandom,
} from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { LoraLinear, loraMethod } from '../src/index.js';
import { FIXTURES, LORA_OPTIONS, logitsOf, maxAbsDiff, tinyLlama } from './helpers.js';

const ROWS = [
  [3, 1, 4, 1, 5, 9],
  [2, 6, 5, 3, 5, 8],
];

describe.each(['lora', 'rslora', 'dora'])('merging %s', (name) => {
  it('gives the logits of the unmerged adapter, and unmerge restores the base weights', async () => {
    const peft = await PeftModel.fromPretrained(
      await tinyLlama(),
      `${FIXTURES}${name}`,
      LORA_OPTIONS,
    );
    const before = new Map(peft.model.namedParameters().map(([n, p]) => [n, p.value]));
    const unmerged = await logitsOf(peft.model, ROWS);
    peft.merge();
    const merged = await logitsOf(peft.model, ROWS);
    expect(maxAbsDiff(merged.toFloat64(), unmerged.toFloat64())).toBeLessThan(1e-4);
    const changed = peft.model.namedParameters().filter(([n, p]) => p.value !== before.get(n));
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every(([n]) => n.endsWith('.base_layer.weight'))).toBe(true);
    peft.unmerge();
    for (const [n, p] of peft.model.namedParameters()) {
      const original = before.get(n) as HostTensor;
      // float64 arithmetic, rounded to f32 twice: within an ulp or two of the original
      expect(maxAbsDiff(p.value.toFloat64(), original.toFloat64()), n).toBeLessThan(1e-6);
    }
    expect(
      maxAbsDiff((await logitsOf(peft.model, ROWS)).toFloat64(), unmerged.toFloat64()),
    ).toBeLessThan(1e-5);
  });

  it('merge_and_unload gives a plain model with the same logits', async () => {
    const peft = await PeftModel.fromPretrained(
      await tinyLlama(),
      `${FIXTURES}${name}`,
      LORA_OPTIONS,
    );
    const adapted = await logitsOf(peft.model, ROWS);
    const plain = peft.mergeAndUnload();
    expect(plain.namedModules().some(([, m]) => m instanceof LoraLinear)).toBe(false);
    expect(plain.getModule('model.layers.0.self_attn.q_proj')).toBeInstanceOf(Linear);
    expect(plain.namedParameters().map(([n]) => n)).toEqual(
      (await tinyLlama()).namedParameters().map(([n]) => n),
    );
    expect(maxAbsDiff((await logitsOf(plain, ROWS)).toFloat64(), adapted.toFloat64())).toBeLessThan(
      1e-4,
    );
  });
});

describe("GPT-2's Conv1D", () => {
  it('gets fan_in_fan_out: LoRA and DoRA on c_attn merge to the same logits', async () => {
    const gpt2 = () => {
      const { model } = buildCausalLM({
        model_type: 'gpt2',
        vocab_size: 20,
        n_embd: 8,
        n_layer: 1,
        n_head: 2,
        n_positions: 16,
      });
      const random = seededRandom(3);
      for (const [, p] of model.namedParameters())
        p.value = HostTensor.from(
          'f32',
          p.shape,
          randomNormal(p.value.size, random).map((v) => 0.3 * v),
        );
      return model;
    };
    for (const use_dora of [false, true]) {
      const peft = PeftModel.create(
        gpt2(),
        loraMethod,
        { target_modules: ['c_attn'], init_lora_weights: false, use_dora },
        { ...LORA_OPTIONS, modelType: 'gpt2' },
      );
      const layer = peft.model.getModule('transformer.h.0.attn.c_attn') as LoraLinear;
      expect(layer.base.fanInFanOut).toBe(true);
      expect(
        peft.stateDict().get('base_model.model.transformer.h.0.attn.c_attn.lora_B.weight')?.shape,
      ).toEqual([24, 8]);
      const rows = [[1, 2, 3, 4]];
      const adapted = await logitsOf(peft.model, rows);
      expect(
        maxAbsDiff(adapted.toFloat64(), (await logitsOf(gpt2(), rows)).toFloat64()),
      ).toBeGreaterThan(1e-3);
      peft.merge();
      expect(
        maxAbsDiff((await logitsOf(peft.model, rows)).toFloat64(), adapted.toFloat64()),
      ).toBeLessThan(1e-4);
      peft.unmerge();
      expect(
        maxAbsDiff((await logitsOf(peft.model, rows)).toFloat64(), adapted.toFloat64()),
      ).toBeLessThan(1e-5);
    }
  });
});
