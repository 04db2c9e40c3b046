import { DROPOUT_SEED_INPUT, GraphBuilder, PeftModel, TraceContext } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { type LoraConfig, LoraLinear, loraMethod } from '../src/index.js';
import { LORA_OPTIONS, logitsOf, tinyLlama } from './helpers.js';

const ROWS = [
  [3, 1, 4, 1, 5],
  [9, 2, 6, 5, 3],
];
const lora = async (config: object) =>
  PeftModel.create(await tinyLlama(), loraMethod, config, LORA_OPTIONS);

describe('LoRA on a Llama', () => {
  it('with B = 0 (the default init) gives the base logits exactly', async () => {
    const base = await logitsOf(await tinyLlama(), ROWS);
    for (const init of [true, 'gaussian']) {
      const peft = await lora({ target_modules: 'all-linear', init_lora_weights: init });
      expect((await logitsOf(peft.model, ROWS)).data).toEqual(base.data);
    }
  });

  it('disabled, gives the base logits exactly; enabled again, its own', async () => {
    const base = await logitsOf(await tinyLlama(), ROWS);
    const peft = await lora({ target_modules: ['q_proj', 'v_proj'], init_lora_weights: false });
    const adapted = await logitsOf(peft.model, ROWS);
    expect(adapted.data).not.toEqual(base.data);
    const disabled = await peft.withAdaptersDisabled(() => logitsOf(peft.model, ROWS));
    expect(disabled.data).toEqual(base.data);
    expect((await logitsOf(peft.model, ROWS)).data).toEqual(adapted.data);
  });

  it("uses PEFT's default targets for the model type and counts parameters as PEFT prints them", async () => {
    const peft = await lora({});
    expect((peft.config() as LoraConfig).target_modules).toEqual(['q_proj', 'v_proj']);
    expect(peft.model.getModule('model.layers.1.self_attn.v_proj')).toBeInstanceOf(LoraLinear);
    expect(peft.model.getModule('model.layers.1.self_attn.k_proj')).not.toBeInstanceOf(LoraLinear);
    // base 5,712; LoRA r 8 on q (16 -> 16) and v (16 -> 8): per layer 8*16 + 16*8 + 8*16 + 8*8 = 448
    expect(peft.printTrainableParameters(() => {})).toBe(
      'trainable params: 896 || all params: 6,608 || trainable%: 13.5593',
    );
  });

  it("expands all-linear to every linear layer but lm_head, as PEFT's short names", async () => {
    const peft = await lora({ target_modules: 'all-linear' });
    // what PEFT saves for all-linear: the set of the linear layers' last name segments
    expect((peft.config() as LoraConfig).target_modules).toEqual([
      'down_proj',
      'gate_proj',
      'k_proj',
      'o_proj',
      'q_proj',
      'up_proj',
      'v_proj',
    ]);
    for (const layer of [0, 1])
      for (const path of ['self_attn.q_proj', 'self_attn.o_proj', 'mlp.down_proj'])
        expect(peft.model.getModule(`model.layers.${layer}.${path}`)).toBeInstanceOf(LoraLinear);
    expect(peft.model.getModule('lm_head')).not.toBeInstanceOf(LoraLinear);
  });

  it('scales by lora_alpha / r, or lora_alpha / sqrt(r) with rsLoRA, with per-module r and alpha', async () => {
    const peft = await lora({
      target_modules: ['q_proj', 'o_proj'],
      r: 4,
      lora_alpha: 16,
      rank_pattern: { o_proj: 2 },
      alpha_pattern: { 'layers\\.1\\.self_attn\\.q_proj': 2 },
    });
    const layer = (path: string) => peft.model.getModule(path) as LoraLinear;
    expect(layer('model.layers.0.self_attn.q_proj').scaling('default')).toBe(4);
    expect(layer('model.layers.1.self_attn.q_proj').scaling('default')).toBe(0.5);
    expect(layer('model.layers.0.self_attn.o_proj').scaling('default')).toBe(8);
    expect(
      peft.stateDict().get('base_model.model.model.layers.0.self_attn.o_proj.lora_A.weight')?.shape,
    ).toEqual([2, 16]);
    const rs = await lora({ target_modules: ['q_proj'], r: 4, lora_alpha: 16, use_rslora: true });
    expect(
      (rs.model.getModule('model.layers.0.self_attn.q_proj') as LoraLinear).scaling('default'),
    ).toBe(8);
  });

  it('initialises A as torch.nn.Linear (U(+-1/sqrt(in))) or normal(0, 1/r), B zero unless init is false', async () => {
    const A = (peft: PeftModel) =>
      peft
        .stateDict()
        .get('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight')
        ?.toArray() ?? [];
    const B = (peft: PeftModel) =>
      peft
        .stateDict()
        .get('base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight')
        ?.toArray() ?? [];
    const kaiming = await lora({ target_modules: ['q_proj'], r: 8 });
    expect(Math.max(...A(kaiming).map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(16));
    expect(Math.max(...A(kaiming).map(Math.abs))).toBeGreaterThan(0.2);
    expect(B(kaiming).every((v) => v === 0)).toBe(true);
    const gaussian = await lora({
      target_modules: ['q_proj'],
      r: 2,
      init_lora_weights: 'gaussian',
    });
    const std = Math.sqrt(A(gaussian).reduce((s, v) => s + v * v, 0) / A(gaussian).length);
    expect(std).toBeGreaterThan(0.3);
    expect(std).toBeLessThan(0.7);
    const random = await lora({ target_modules: ['q_proj'], r: 8, init_lora_weights: false });
    expect(Math.max(...B(random).map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(8));
    expect(B(random).some((v) => v !== 0)).toBe(true);
  });

  it('adds, switches and deletes adapters; only the active one trains', async () => {
    const peft = await lora({ target_modules: ['q_proj'], init_lora_weights: false });
    const first = await logitsOf(peft.model, ROWS);
    peft.addAdapter('second', loraMethod, {
      target_modules: ['q_proj', 'v_proj'],
      init_lora_weights: false,
      r: 2,
    });
    expect((await logitsOf(peft.model, ROWS)).data).toEqual(first.data);
    peft.setAdapter('second');
    const second = await logitsOf(peft.model, ROWS);
    expect(second.data).not.toEqual(first.data);
    expect(peft.trainableParameters().every(([n]) => n.includes('.second.'))).toBe(true);
    expect(peft.trainableParameters()).toHaveLength(8);
    peft.setAdapter('default');
    peft.deleteAdapter('second');
    expect((await logitsOf(peft.model, ROWS)).data).toEqual(first.data);
    expect(peft.model.namedParameters().some(([n]) => n.includes('.second.'))).toBe(false);
  });

  it('applies dropout only in training, seeded by the dropout_seed input', async () => {
    const peft = await lora({ target_modules: ['q_proj'], lora_dropout: 0.1 });
    const inputsOf = () => {
      const b = new GraphBuilder();
      peft.model.forward(new TraceContext(b, peft.model), {
        input_ids: b.input('input_ids', [1, 3], 'i32'),
        position_ids: b.input('position_ids', [1, 3], 'i32'),
      });
      return b.graphInputs().map((i) => i.name);
    };
    expect(inputsOf()).not.toContain(DROPOUT_SEED_INPUT);
    peft.train();
    expect(inputsOf()).toContain(DROPOUT_SEED_INPUT);
    peft.train(false);
    expect(inputsOf()).not.toContain(DROPOUT_SEED_INPUT);
  });
});
