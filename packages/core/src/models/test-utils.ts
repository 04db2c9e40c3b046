import { evaluate } from '../backend/index.js';
import { GraphBuilder } from '../graph/builder.js';
import type { Tensor } from '../graph/tensor.js';
import { TraceContext } from '../nn/trace-context.js';
import { HostTensor, randomNormal, seededRandom } from '../tensor/index.js';
import { buildCausalLM } from './build-causal-lm.js';
import type { CausalLM } from './causal-lm.js';
import type { TaskModel } from './task-model.js';

/**
 * A tiny config of a Llama-family `model_type` (llama, mistral, qwen2): vocab 20, hidden 16,
 * intermediate 24, 2 layers, 4 query heads over 2 key/value heads; `overrides` win.
 */
export function tinyLlamaConfig<O extends Record<string, unknown>>(
  modelType = 'llama',
  overrides: O = {} as O,
) {
  return {
    model_type: modelType,
    vocab_size: 20,
    hidden_size: 16,
    intermediate_size: 24,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    ...overrides,
  };
}

/** A tiny GPT-2 config: vocab 20, 16 positions, width 8, 2 layers, 2 heads. */
export const TINY_GPT2_CONFIG: Readonly<Record<string, unknown>> = Object.freeze({
  model_type: 'gpt2',
  vocab_size: 20,
  n_positions: 16,
  n_embd: 8,
  n_layer: 2,
  n_head: 2,
});

/** A built model with every weight drawn (std 0.2; norm weights around 1), seeded. */
export function randomModel(config: Record<string, unknown>, seed = 1): CausalLM {
  const { model } = buildCausalLM(config);
  const random = seededRandom(seed);
  for (const [name, p] of model.namedParameters()) {
    const noise = randomNormal(p.value.size, random).map((v) => v * 0.2);
    const isNorm = /(norm|ln_\d|ln_f)\.weight$/.test(name);
    p.value = HostTensor.from('f32', p.shape, isNorm ? noise.map((v) => 1 + v) : noise);
  }
  return model;
}

export interface Run {
  readonly ids: readonly number[][];
  /** Per row; default 0..T-1. */
  readonly positions?: readonly number[][];
  /** Additive [B, 1, T, Tk], flattened. */
  readonly mask?: readonly number[];
  /** A cache of `length` slots written at `slots`, starting from `past` (default zeros). */
  readonly cache?: {
    readonly length: number;
    readonly slots: readonly number[];
    readonly past?: readonly { key: HostTensor; value: HostTensor }[];
  };
}

/** Runs one forward pass on the reference backend: logits [B, T, V] and the caches written. */
export async function runModel(
  model: TaskModel,
  run: Run,
): Promise<{ logits: HostTensor; present: { key: HostTensor; value: HostTensor }[] }> {
  const batch = run.ids.length;
  const seq = run.ids[0].length;
  const { numLayers, numKeyValueHeads, headDim } = model.shape;
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, model);
  const feeds: Record<string, HostTensor> = {
    input_ids: HostTensor.from('i32', [batch, seq], run.ids.flat()),
    position_ids: HostTensor.from(
      'i32',
      [batch, seq],
      (run.positions ?? run.ids.map((row) => row.map((_, t) => t))).flat(),
    ),
  };
  const keys = run.cache?.length ?? seq;
  let cache: { layers: { key: Tensor; value: Tensor }[]; positions: Tensor } | undefined;
  if (run.cache) {
    const shape = [batch, numKeyValueHeads, run.cache.length, headDim];
    feeds.cache_position = HostTensor.from('i32', [seq], run.cache.slots);
    cache = { positions: b.input('cache_position', [seq], 'i32'), layers: [] };
    for (let i = 0; i < numLayers; i++) {
      const past = run.cache.past?.[i];
      feeds[`key.${i}`] = past?.key ?? HostTensor.zeros('f32', shape);
      feeds[`value.${i}`] = past?.value ?? HostTensor.zeros('f32', shape);
      cache.layers.push({
        key: b.input(`key.${i}`, shape, 'f32', 'state'),
        value: b.input(`value.${i}`, shape, 'f32', 'state'),
      });
    }
  }
  if (run.mask) feeds.attention_mask = HostTensor.from('f32', [batch, 1, seq, keys], run.mask);
  const out = model.forward(ctx, {
    input_ids: b.input('input_ids', [batch, seq], 'i32'),
    position_ids: b.input('position_ids', [batch, seq], 'i32'),
    attention_mask: run.mask && b.input('attention_mask', [batch, 1, seq, keys], 'f32'),
    cache,
  });
  const outputs: Record<string, Tensor> = { logits: out.logits };
  out.present?.forEach((p, i) => {
    outputs[`present.key.${i}`] = p.key;
    outputs[`present.value.${i}`] = p.value;
  });
  const result = await evaluate(b.build(outputs), { ...feeds, ...ctx.weights() });
  const present = (out.present ?? []).map((_, i) => ({
    key: result[`present.key.${i}`],
    value: result[`present.value.${i}`],
  }));
  return { logits: result.logits, present };
}

/** Logits of row `r`, position `t` of [B, T, V] logits. */
export function logitsAt(logits: HostTensor, r: number, t: number): Float64Array {
  const [, seq, vocab] = logits.shape;
  const start = (r * seq + t) * vocab;
  return logits.toFloat64().slice(start, start + vocab);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** An additive mask [B, 1, T, Tk] from a visibility rule, flattened. */
export function additiveMask(
  batch: number,
  seq: number,
  keys: number,
  visible: (row: number, query: number, key: number) => boolean,
): number[] {
  const out: number[] = [];
  for (let r = 0; r < batch; r++)
    for (let q = 0; q < seq; q++)
      for (let k = 0; k < keys; k++) out.push(visible(r, q, k) ? 0 : Number.NEGATIVE_INFINITY);
  return out;
}

/** [name, shape] of every parameter, in module-tree order (HF's state_dict order). */
export function parameterShapes(model: CausalLM): [string, number[]][] {
  return model.namedParameters().map(([name, p]) => [name, [...p.shape]]);
}

/**
 * Greatest difference between the logits of the last `decode` tokens computed (a) by a prefill of
 * the first tokens into a cache of `length` slots followed by one pass over the `decode` tokens,
 * and (b) by one pass over all the tokens without a cache.
 */
export async function cachedVersusRecomputed(
  model: CausalLM,
  ids: number[][],
  decode: number,
  length: number,
): Promise<number> {
  const seq = ids[0].length;
  const prompt = seq - decode;
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  const full = await runModel(model, { ids });
  const prefill = await runModel(model, {
    ids: ids.map((row) => row.slice(0, prompt)),
    cache: { length, slots: range(0, prompt) },
  });
  const step = await runModel(model, {
    ids: ids.map((row) => row.slice(prompt)),
    positions: ids.map(() => range(prompt, seq)),
    cache: { length, slots: range(prompt, seq), past: prefill.present },
  });
  let max = 0;
  for (let r = 0; r < ids.length; r++) {
    const last = logitsAt(prefill.logits, r, prompt - 1);
    max = Math.max(max, maxAbsDiff(last, logitsAt(full.logits, r, prompt - 1)));
    for (let t = 0; t < decode; t++) {
      const cached = logitsAt(step.logits, r, t);
      max = Math.max(max, maxAbsDiff(cached, logitsAt(full.logits, r, prompt + t)));
    }
  }
  return max;
}

/**
 * Greatest difference between the logits of two examples packed in one row (positions restarting
 * at the second, a block-diagonal causal mask) and those of each example run alone.
 */
export async function packedVersusSeparate(
  model: CausalLM,
  first: number[],
  second: number[],
): Promise<number> {
  const seq = first.length + second.length;
  const example = (t: number) => (t < first.length ? 0 : 1);
  const packed = await runModel(model, {
    ids: [[...first, ...second]],
    positions: [[...first.map((_, t) => t), ...second.map((_, t) => t)]],
    mask: additiveMask(1, seq, seq, (_, q, k) => k <= q && example(k) === example(q)),
  });
  const alone = [await runModel(model, { ids: [first] }), await runModel(model, { ids: [second] })];
  let max = 0;
  for (let t = 0; t < seq; t++) {
    const e = example(t);
    const own = logitsAt(alone[e].logits, 0, e === 0 ? t : t - first.length);
    max = Math.max(max, maxAbsDiff(logitsAt(packed.logits, 0, t), own));
  }
  return max;
}
