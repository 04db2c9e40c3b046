import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BitsAndBytesConfig,
  type CausalLM,
  HostTensor,
  Linear,
  loadCausalLM,
  PeftModel,
} from '@tunekit/core';
import { denseLinearDispatcher, LoraLinear, loraMethod } from '@tunekit/peft-lora';
import { afterAll, describe, expect, it } from 'vitest';
import { bitsAndBytesQuantizer, Linear4bit, nf4LoraDispatcher } from '../src/index.js';
import { tinyLlamaFolder } from './tiny-llama-folder.js';

const NF4: BitsAndBytesConfig = {
  load_in_4bit: true,
  bnb_4bit_quant_type: 'nf4',
  bnb_4bit_use_double_quant: false,
  bnb_4bit_compute_dtype: 'float32',
  bnb_4bit_quant_storage: 'uint8',
  llm_int8_skip_modules: null,
};
const OPTIONS = {
  methods: [loraMethod],
  dispatchers: [nf4LoraDispatcher, denseLinearDispatcher],
  modelType: 'llama',
};
const LORA = { target_modules: ['q_proj', 'down_proj'], r: 2 };

const folder = await tinyLlamaFolder();
const work = await mkdtemp(join(tmpdir(), 'tunekit-qlora-adapter-'));
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

const nf4Model = async (): Promise<CausalLM> =>
  (
    await loadCausalLM(folder, {
      quantize: (m) => bitsAndBytesQuantizer.quantize(m, NF4, { outputHead: 'lm_head' }),
    })
  ).model;

describe('LoRA on a 4-bit base', () => {
  it("wraps Linear4bit in peft-lora's LoraLinear and saves a plain PEFT LoRA adapter that loads on the f32 base", async () => {
    const peft = PeftModel.create(await nf4Model(), loraMethod, LORA, OPTIONS);
    const layer = peft.model.getModule('model.layers.0.self_attn.q_proj');
    expect(layer).toBeInstanceOf(LoraLinear);
    expect((layer as LoraLinear).baseLayer()).toBeInstanceOf(Linear4bit);
    await peft.save(work);
    const config = JSON.parse(await readFile(join(work, 'adapter_config.json'), 'utf8'));
    expect(config.peft_type).toBe('LORA');
    expect(Object.keys(config).some((k) => /quant|4bit/.test(k))).toBe(false);

    const dense = await PeftModel.fromPretrained((await loadCausalLM(folder)).model, work, OPTIONS);
    const onDense = dense.model.getModule('model.layers.0.self_attn.q_proj') as LoraLinear;
    expect(onDense.baseLayer()).toBeInstanceOf(Linear);
    expect(dense.stateDict()).toEqual(peft.stateDict());
  });

  it('merges into the 4-bit weight, re-quantizing it as PEFT does, and unload gives the Linear4bit back', async () => {
    const peft = PeftModel.create(await nf4Model(), loraMethod, LORA, OPTIONS);
    const layer = peft.model.getModule('model.layers.0.mlp.down_proj') as LoraLinear;
    const base = layer.baseLayer() as Linear4bit;
    const before = base.dequantizedWeight().data as Float32Array;
    // B starts at zero (PEFT's init); a trained B moves the weight
    for (const [key, p] of peft.adapterParameters())
      if (key.includes('lora_B'))
        p.value = HostTensor.from('f32', p.shape, new Float64Array(p.value.size).fill(0.5));
    const merged = peft.mergeAndUnload();
    const after = merged.getModule('model.layers.0.mlp.down_proj');
    expect(after).toBe(base);
    const now = base.dequantizedWeight().data as Float32Array;
    expect(now).not.toEqual(before);
    expect(base.quantized().packed).toBeInstanceOf(Uint8Array);
  });
});
