import { describe, expect, it } from 'vitest';
import { evaluate } from '../backend/index.js';
import { GraphBuilder } from '../graph/builder.js';
import type { Tensor } from '../graph/tensor.js';
import { TraceContext } from '../nn/trace-context.js';
import { HostTensor } from '../tensor/index.js';
import type { CausalLM } from './causal-lm.js';
import {
  logitsAt,
  maxAbsDiff,
  randomModel,
  runModel,
  TINY_GPT2_CONFIG,
  tinyLlamaConfig,
} from './test-utils.js';

type Layer = { key: HostTensor; value: HostTensor };

/** One pass over `ids` (positions P..P+T-1) after the `past` keys and values of P tokens. */
async function runWithPast(
  model: CausalLM,
  ids: number[][],
  past: readonly Layer[],
  mask?: number[],
): Promise<{ logits: HostTensor; present: Layer[] }> {
  const [batch, seq] = [ids.length, ids[0].length];
  const pastLength = past[0].key.shape[2];
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, model);
  const feeds: Record<string, HostTensor> = {
    input_ids: HostTensor.from('i32', [batch, seq], ids.flat()),
    position_ids: HostTensor.from(
      'i32',
      [batch, seq],
      ids.flatMap((row) => row.map((_, t) => pastLength + t)),
    ),
  };
  const pastInputs = past.map((layer, i) => {
    feeds[`key.${i}`] = layer.key;
    feeds[`value.${i}`] = layer.value;
    return {
      key: b.input(`key.${i}`, layer.key.shape),
      value: b.input(`value.${i}`, layer.value.shape),
    };
  });
  const keys = pastLength + seq;
  if (mask) feeds.attention_mask = HostTensor.from('f32', [batch, 1, seq, keys], mask);
  const out = model.forward(ctx, {
    input_ids: b.input('input_ids', [batch, seq], 'i32'),
    position_ids: b.input('position_ids', [batch, seq], 'i32'),
    attention_mask: mask && b.input('attention_mask', [batch, 1, seq, keys]),
    past_key_values: pastInputs,
  });
  const outputs: Record<string, Tensor> = { logits: out.logits };
  out.present?.forEach((p, i) => {
    outputs[`present.key.${i}`] = p.key;
    outputs[`present.value.${i}`] = p.value;
  });
  const result = await evaluate(b.build(outputs), { ...feeds, ...ctx.weights() });
  return {
    logits: result.logits,
    present: (out.present ?? []).map((_, i) => ({
      key: result[`present.key.${i}`],
      value: result[`present.value.${i}`],
    })),
  };
}

/**
 * The prompt's keys and values come from a fixed-size cache of exactly its length; a pass with
 * them as `past_key_values` must give the full recompute's logits of the remaining tokens, and its
 * `present` the keys and values of the whole sequence.
 */
async function appendedVersusRecomputed(model: CausalLM, ids: number[][], prompt: number) {
  const seq = ids[0].length;
  const slots = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  const full = await runModel(model, { ids, cache: { length: seq, slots: slots(0, seq) } });
  const prefill = await runModel(model, {
    ids: ids.map((row) => row.slice(0, prompt)),
    cache: { length: prompt, slots: slots(0, prompt) },
  });
  const step = await runWithPast(
    model,
    ids.map((row) => row.slice(prompt)),
    prefill.present,
  );
  let logits = 0;
  for (let r = 0; r < ids.length; r++)
    for (let t = prompt; t < seq; t++) {
      const got = logitsAt(step.logits, r, t - prompt);
      logits = Math.max(logits, maxAbsDiff(got, logitsAt(full.logits, r, t)));
    }
  let present = 0;
  step.present.forEach((layer, i) => {
    expect(layer.key.shape).toEqual(full.present[i].key.shape);
    present = Math.max(present, maxAbsDiff(layer.key.toFloat64(), full.present[i].key.toFloat64()));
    present = Math.max(
      present,
      maxAbsDiff(layer.value.toFloat64(), full.present[i].value.toFloat64()),
    );
  });
  return { logits, present };
}

const ids = [
  [3, 1, 4, 1, 5, 9, 2],
  [2, 7, 1, 8, 2, 8, 1],
];

describe('past_key_values (a growing cache)', () => {
  it('Llama with grouped-query heads: the logits and keys of a full recompute', async () => {
    const model = randomModel(tinyLlamaConfig());
    const err = await appendedVersusRecomputed(model, ids, 4);
    expect(err.logits).toBeLessThan(1e-5);
    expect(err.present).toBeLessThan(1e-6);
  });

  it('GPT-2: the logits and keys of a full recompute', async () => {
    const model = randomModel(TINY_GPT2_CONFIG);
    const err = await appendedVersusRecomputed(model, ids, 5);
    expect(err.logits).toBeLessThan(1e-5);
    expect(err.present).toBeLessThan(1e-6);
  });

  it('Mistral: the sliding window reaches back into the past', async () => {
    // window 2 over 7 tokens: a decode step that forgot the window would see the whole past
    const model = randomModel(
      tinyLlamaConfig('mistral', {
        num_attention_heads: 2,
        num_key_value_heads: 1,
        sliding_window: 2,
      }),
    );
    const err = await appendedVersusRecomputed(model, ids, 6);
    expect(err.logits).toBeLessThan(1e-5);
  });

  it('a given mask covers the past and this pass (P + T keys)', async () => {
    const model = randomModel({
      model_type: 'llama',
      vocab_size: 20,
      hidden_size: 8,
      intermediate_size: 12,
      num_hidden_layers: 1,
      num_attention_heads: 2,
    });
    const past = [
      { key: HostTensor.zeros('f32', [1, 2, 3, 4]), value: HostTensor.zeros('f32', [1, 2, 3, 4]) },
    ];
    // every key hidden but the token's own: past keys of zeros change nothing
    const own = [0, 1].flatMap((q) => [0, 1, 2, 3, 4].map((k) => (k === 3 + q ? 0 : -Infinity)));
    const masked = await runWithPast(model, [[5, 6]], past, own);
    const alone = await runModel(model, {
      ids: [[5, 6]],
      positions: [[3, 4]],
      mask: [0, -Infinity, -Infinity, 0],
    });
    expect(maxAbsDiff(masked.logits.toFloat64(), alone.logits.toFloat64())).toBeLessThan(1e-6);
    const b = new GraphBuilder();
    const tooShort = () =>
      model.forward(new TraceContext(b, model), {
        input_ids: b.input('input_ids', [1, 2], 'i32'),
        position_ids: b.input('position_ids', [1, 2], 'i32'),
        attention_mask: b.input('attention_mask', [1, 1, 2, 2]),
        past_key_values: [{ key: b.input('k', [1, 2, 3, 4]), value: b.input('v', [1, 2, 3, 4]) }],
      });
    expect(tooShort).toThrow('attention_mask must be f32[1, 1, 2, 5], got f32[1, 1, 2, 2]');
  });
});
