// Shared by the tests of this folder.
import {
  buildCausalLM,
  type CausalLM,
  evaluate,
  GraphBuilder,
  HostTensor,
  type PeftModelOptions,
  randomNormal,
  seededRandom,
  type TaskModel,
  TraceContext,
} from '@tunekit/core';
import { promptTuningMethod } from '../src/index.js';

export const TINY_LLAMA = {
  model_type: 'llama',
  vocab_size: 24,
  hidden_size: 8,
  intermediate_size: 12,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  tie_word_embeddings: false,
};

export const TINY_GPT2 = {
  model_type: 'gpt2',
  vocab_size: 24,
  n_embd: 8,
  n_layer: 2,
  n_head: 2,
  n_positions: 32,
};

/** Qwen2: q/k/v biases, 1 key/value head of 2 query heads. */
export const TINY_QWEN2 = { ...TINY_LLAMA, model_type: 'qwen2' };

/** Mistral: a sliding window shorter than a prompt plus its input. */
export const TINY_MISTRAL = { ...TINY_LLAMA, model_type: 'mistral', sliding_window: 4 };

export const PROMPT_OPTIONS: PeftModelOptions = {
  methods: [promptTuningMethod],
  modelType: 'llama',
  modelConfig: TINY_LLAMA,
};

/** A model of `config` with seeded random weights: every call gives the same model. */
export function tinyModel(config: Readonly<Record<string, unknown>>): CausalLM {
  const { model } = buildCausalLM(config);
  const random = seededRandom(1);
  for (const [, p] of model.namedParameters())
    p.value = HostTensor.from(
      p.dtype,
      p.shape,
      randomNormal(p.value.size, random).map((v) => 0.3 * v),
    );
  return model;
}

/**
 * Logits [B, T, V] of `rows` on the reference backend, at `positions` (0..T-1 in every row by
 * default) and with the additive `mask` (f32 [B, 1, T, T]) when given.
 */
export async function logitsOf(
  model: TaskModel,
  rows: readonly (readonly number[])[],
  opts: { readonly positions?: readonly number[]; readonly mask?: readonly number[] } = {},
): Promise<Float64Array> {
  const { mask } = opts;
  const [batch, seq] = [rows.length, rows[0].length];
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, model);
  const { logits } = model.forward(ctx, {
    input_ids: b.input('input_ids', [batch, seq], 'i32'),
    position_ids: b.input('position_ids', [batch, seq], 'i32'),
    attention_mask: mask && b.input('attention_mask', [batch, 1, seq, seq], 'f32'),
  });
  const feeds: Record<string, HostTensor> = {
    ...ctx.weights(),
    input_ids: HostTensor.from('i32', [batch, seq], rows.flat()),
    position_ids: HostTensor.from(
      'i32',
      [batch, seq],
      opts.positions ?? rows.flatMap((r) => r.map((_, t) => t)),
    ),
  };
  if (mask) feeds.attention_mask = HostTensor.from('f32', [batch, 1, seq, seq], mask);
  return (await evaluate(b.build({ logits }), feeds)).logits.toFloat64();
}

/** The largest |a_i - b_i|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/**
 * The keys and values [N, num_layers * 2 * Hkv * D] the model computes for `ids` (one row), laid
 * out as PEFT's prefix table: row n holds layer i's key heads at entry 2i, its value heads at 2i + 1.
 * Run through a plain KV cache of N slots, so it does not rely on the prefix code under test.
 */
export async function keyValueTable(model: CausalLM, ids: readonly number[]): Promise<HostTensor> {
  const n = ids.length;
  const { numLayers, numKeyValueHeads: h, headDim: d } = model.shape;
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, model);
  const empty = b.constant(0, [1, h, n, d]);
  const { present = [] } = model.forward(ctx, {
    input_ids: b.input('input_ids', [1, n], 'i32'),
    position_ids: b.arange(n).unsqueeze(0),
    cache: {
      positions: b.arange(n),
      layers: Array.from({ length: numLayers }, () => ({ key: empty, value: empty })),
    },
  });
  const outputs = Object.fromEntries(
    present.flatMap((layer, i) => [
      [`${2 * i}`, layer.key],
      [`${2 * i + 1}`, layer.value],
    ]),
  );
  const out = await evaluate(b.build(outputs), {
    ...ctx.weights(),
    input_ids: HostTensor.from('i32', [1, n], ids),
  });
  const width = numLayers * 2 * h * d;
  const table = new Float64Array(n * width);
  for (let e = 0; e < 2 * numLayers; e++) {
    const kv = out[`${e}`].toFloat64(); // [1, h, n, d]
    for (let head = 0; head < h; head++)
      for (let t = 0; t < n; t++)
        for (let i = 0; i < d; i++)
          table[t * width + (e * h + head) * d + i] = kv[(head * n + t) * d + i];
  }
  return HostTensor.from('f32', [n, width], table);
}
