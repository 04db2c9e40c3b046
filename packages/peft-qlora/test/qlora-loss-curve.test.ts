import { rm } from 'node:fs/promises';
import { OnnxBackend } from '@tunekit/backend-onnx';
import {
  adamw,
  type Backend,
  type BitsAndBytesConfig,
  buildTrainStep,
  type CausalLM,
  GraphBuilder,
  HostTensor,
  type Linear,
  loadCausalLM,
  ops,
  PeftModel,
  ReferenceBackend,
  TraceContext,
  TrainStepRunner,
} from '@tunekit/core';
import { denseLinearDispatcher, loraMethod } from '@tunekit/peft-lora';
import { afterAll, describe, expect, it } from 'vitest';
import { bitsAndBytesQuantizer, Linear4bit, nf4LoraDispatcher } from '../src/index.js';
import { TINY_LLAMA_CONFIG, tinyLlamaFolder } from './tiny-llama-folder.js';

const NF4: BitsAndBytesConfig = {
  load_in_4bit: true,
  bnb_4bit_quant_type: 'nf4',
  bnb_4bit_use_double_quant: true,
  bnb_4bit_compute_dtype: 'float32',
  bnb_4bit_quant_storage: 'uint8',
  llm_int8_skip_modules: null,
};
const LORA = { target_modules: 'all-linear', r: 4, lora_alpha: 8 };
const [ROWS, SEQ, STEPS] = [2, 12, 20];
const VOCAB = TINY_LLAMA_CONFIG.vocab_size;

const folder = await tinyLlamaFolder();
afterAll(() => rm(folder, { recursive: true, force: true }));

/** The folder's model with its decoder Linears quantized to NF4 (double quantization) as it loads. */
async function nf4Model(): Promise<CausalLM> {
  const quantize = (m: CausalLM) =>
    bitsAndBytesQuantizer.quantize(m, NF4, { outputHead: 'lm_head' });
  return (await loadCausalLM(folder, { quantize })).model;
}

/** The folder's model in f32, with every Linear4bit of `nf4`'s weight dequantized into it. */
async function dequantizedModel(nf4: CausalLM): Promise<CausalLM> {
  const { model } = await loadCausalLM(folder);
  for (const [path, m] of nf4.namedModules()) {
    if (m instanceof Linear4bit)
      (model.getModule(path) as Linear).loadStateDict(new Map([['weight', m.dequantizedWeight()]]));
  }
  return model;
}

/** LoRA (same seed, so the same init) on `model`, and its AdamW step on the cross-entropy. */
function loraStep(model: CausalLM) {
  const peft = PeftModel.create(model, loraMethod, LORA, {
    dispatchers: [nf4LoraDispatcher, denseLinearDispatcher],
    modelType: 'llama',
    seed: 5,
  });
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, peft.model);
  const { logits } = peft.model.forward(ctx, {
    input_ids: b.input('input_ids', [ROWS, SEQ], 'i32'),
    position_ids: b.input('position_ids', [ROWS, SEQ], 'i32'),
  });
  const loss = ops.crossEntropy(
    logits.reshape([ROWS * SEQ, VOCAB]),
    b.input('labels', [ROWS * SEQ], 'i32'),
  );
  const step = buildTrainStep(loss, { optimizer: adamw(), groups: [{ lr: 1e-2 }] });
  return { step, weights: ctx.weights() };
}

/** Losses of STEPS steps of `loraStep` on one fixed batch. */
async function loraLosses(model: CausalLM, backend: Backend): Promise<number[]> {
  const { step, weights } = loraStep(model);
  const runner = TrainStepRunner.create(backend, step, weights);
  const tokens = Array.from({ length: ROWS * (SEQ + 1) }, (_, i) => (i * 7 + 3) % VOCAB);
  const rows = [0, 1].map((r) => tokens.slice(r * (SEQ + 1), (r + 1) * (SEQ + 1)));
  const batch = {
    input_ids: HostTensor.from(
      'i32',
      [ROWS, SEQ],
      rows.flatMap((t) => t.slice(0, -1)),
    ),
    position_ids: HostTensor.from(
      'i32',
      [ROWS, SEQ],
      [0, 1].flatMap(() => [...Array(SEQ).keys()]),
    ),
    labels: HostTensor.from(
      'i32',
      [ROWS * SEQ],
      rows.flatMap((t) => t.slice(1)),
    ),
  };
  const losses: number[] = [];
  for (let i = 0; i < STEPS; i++) losses.push((await runner.run(batch)).loss);
  runner.dispose();
  return losses;
}

function expectSameCurve(got: readonly number[], want: readonly number[]): void {
  for (const [i, w] of want.entries())
    expect(Math.abs(got[i] - w) / Math.abs(w), `step ${i}: ${got[i]} vs ${w}`).toBeLessThan(1e-5);
}

describe('LoRA on an NF4 base (load_in_4bit with double quantization)', () => {
  it('keeps the decoder Linears packed and the embeddings, norms and lm_head in f32', async () => {
    const model = await nf4Model();
    const quantized = model
      .namedModules()
      .filter(([, m]) => m instanceof Linear4bit)
      .map(([path]) => path.replace(/\.\d+\./, '.*.'));
    expect([...new Set(quantized)].sort()).toEqual(
      ['k', 'o', 'q', 'v']
        .map((p) => `model.layers.*.self_attn.${p}_proj`)
        .concat(['down', 'gate', 'up'].map((p) => `model.layers.*.mlp.${p}_proj`))
        .sort(),
    );
    const dtypes = new Map(model.namedParameters().map(([name, p]) => [name, p.dtype]));
    expect(dtypes.get('model.layers.0.self_attn.q_proj.weight')).toBe('u8');
    expect(dtypes.get('model.layers.0.self_attn.q_proj.weight.absmax')).toBe('u8');
    expect(dtypes.get('lm_head.weight')).toBe('f32');
    expect(dtypes.get('model.embed_tokens.weight')).toBe('f32');
    // no f32 tensor of a quantized weight's size is held anywhere in the model
    const qSize = 64 * 64;
    const f32Matrices = model
      .namedParameters()
      .filter(([name, p]) => p.dtype === 'f32' && p.value.size >= qSize && /layers/.test(name));
    expect(f32Matrices.map(([name]) => name)).toEqual([]);
  });

  it('dequantizes each weight again in the backward, so no f32 weight lives from forward to backward', async () => {
    const model = await nf4Model();
    const layers = model.namedModules().filter(([, m]) => m instanceof Linear4bit).length;
    const { nodes } = loraStep(model).step.graph;
    const dequantized = nodes.filter((n) => n.op === 'dequantize_4bit').map((n) => n.id);
    // a forward copy each, and a backward one for each that passes a gradient on (all but layer 0's
    // q, k and v, whose input, the frozen embeddings, needs none)
    expect(dequantized).toHaveLength(layers + layers - 3);
    // each copy has one reader (its matmul's transpose): the backward never reads the forward's
    for (const id of dequantized)
      expect(nodes.filter((n) => n.inputs.includes(id)).map((n) => n.op)).toEqual(['transpose']);
  });

  for (const [name, backend] of [
    ['reference', () => new ReferenceBackend()],
    ['onnx', () => new OnnxBackend({ threads: 1 })],
  ] as const) {
    it(`trains with the loss curve of LoRA on the dequantized f32 weights (${STEPS} steps, rel 1e-5) on ${name}`, async () => {
      const nf4 = await nf4Model();
      const want = await loraLosses(await dequantizedModel(nf4), backend());
      const got = await loraLosses(nf4, backend());
      expectSameCurve(got, want);
      expect(got[STEPS - 1]).toBeLessThan(got[0] * 0.8);
      // the 4-bit rounding is visible: the curve on the original f32 weights differs
      const original = await loraLosses((await loadCausalLM(folder)).model, backend());
      expect(Math.abs(original[STEPS - 1] - got[STEPS - 1]) / got[STEPS - 1]).toBeGreaterThan(1e-4);
    }, 120_000);
  }
});
