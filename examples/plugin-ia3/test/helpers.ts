// Shared by the tests of this folder: tiny models with random weights, and their logits.
import {
  buildCausalLM,
  type CausalLM,
  evaluate,
  HostTensor,
  type Parameter,
  type PeftModelOptions,
  randomNormal,
  seededRandom,
  traceLogits,
} from '@tunekit/core';
import { denseIa3Dispatcher, ia3Method } from '../src/index.js';

/** What PeftModel needs to find IA3, as a container with the plugin registered gives it. */
export const IA3_OPTIONS: PeftModelOptions = {
  methods: [ia3Method],
  dispatchers: [denseIa3Dispatcher],
};

const small = { vocab_size: 20, num_attention_heads: 2, tie_word_embeddings: false };

/** One config per Linear flavour: Llama (no biases), Qwen2 (q/k/v biases), GPT-2 (Conv1D). */
export const TINY_CONFIGS = {
  llama: {
    ...small,
    model_type: 'llama',
    hidden_size: 8,
    intermediate_size: 12,
    num_hidden_layers: 2,
    num_key_value_heads: 1,
  },
  qwen2: {
    ...small,
    model_type: 'qwen2',
    hidden_size: 8,
    intermediate_size: 12,
    num_hidden_layers: 1,
    num_key_value_heads: 1,
  },
  gpt2: { ...small, model_type: 'gpt2', n_embd: 8, n_layer: 1, n_head: 2, n_positions: 16 },
} as const;

export type TinyType = keyof typeof TINY_CONFIGS;

/** A tiny model of `type` with seeded random weights: the same seed gives the same model. */
export function tinyModel(type: TinyType, seed = 1): CausalLM {
  const { model } = buildCausalLM(TINY_CONFIGS[type]);
  randomize(
    model.namedParameters().map(([, p]) => p),
    seed,
    0.3,
  );
  return model;
}

/** Sets `params` to seeded normal draws times `scale`, plus `offset`. */
export function randomize(params: Iterable<Parameter>, seed: number, scale: number, offset = 0) {
  const random = seededRandom(seed);
  for (const p of params) {
    const values = randomNormal(p.value.size, random).map((v) => offset + scale * v);
    p.value = HostTensor.from(p.dtype, p.shape, values);
  }
}

export const ROWS = [
  [3, 1, 4, 1, 5, 9],
  [2, 6, 5, 3, 5, 8],
];

/** Logits of `rows` on the reference backend, as float64. */
export async function logitsOf(model: CausalLM, rows = ROWS): Promise<Float64Array> {
  const traced = traceLogits(model, { batch: rows.length, seq: rows[0].length });
  return (await evaluate(traced.graph, traced.feeds(rows))).logits.toFloat64();
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
