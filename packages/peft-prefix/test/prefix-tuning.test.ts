import { PeftModel } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { prefixTuningMethod } from '../src/index.js';
import {
  keyValueTable,
  logitsOf,
  maxAbsDiff,
  TINY_GPT2,
  TINY_LLAMA,
  TINY_MISTRAL,
  TINY_QWEN2,
  tinyModel,
} from './helpers.js';

const PROMPT_IDS = [5, 11, 2];
const N = PROMPT_IDS.length;
const VOCAB = 24;

/** The model with prefix tuning whose prefix is what the base model computes for PROMPT_IDS. */
async function prefixTuned(config: Readonly<Record<string, unknown>>) {
  const peft = PeftModel.create(
    tinyModel(config),
    prefixTuningMethod,
    { num_virtual_tokens: N },
    { modelConfig: config },
  );
  const [table] = peft.adapterParameters().values();
  table.value = await keyValueTable(tinyModel(config), PROMPT_IDS);
  return peft;
}

/** Rows t >= from of logits [rows, T, V], as one flat array. */
function fromPosition(logits: Float64Array, rows: number, seq: number, from: number): number[] {
  return Array.from({ length: rows }, (_, r) =>
    Array.from(logits.subarray((r * seq + from) * VOCAB, (r + 1) * seq * VOCAB)),
  ).flat();
}

describe.each([
  ['llama (grouped-query attention)', TINY_LLAMA],
  ['gpt2', TINY_GPT2],
  ['qwen2', TINY_QWEN2],
  ['mistral (sliding window 4)', TINY_MISTRAL],
])('a key/value prefix on a tiny %s', (_, config) => {
  const rows = [
    [3, 1, 4, 1, 5],
    [9, 2, 6, 5, 3],
  ];

  it('gives the logits of the base model run on the prompt tokens followed by the input', async () => {
    const peft = await prefixTuned(config);
    const tuned = await logitsOf(peft.model, rows);
    expect(tuned).toHaveLength(2 * 5 * VOCAB);
    const base = await logitsOf(
      tinyModel(config),
      rows.map((r) => [...PROMPT_IDS, ...r]),
    );
    expect(maxAbsDiff(tuned, fromPosition(base, 2, N + 5, N))).toBeLessThan(1e-5);
  });
});

// Not Mistral: a sliding window counts cache slots, so in a packed row the later example sits
// farther from the prefix than alone (HF defines no packing with a prefix either).
describe.each([
  ['llama (grouped-query attention)', TINY_LLAMA],
  ['gpt2', TINY_GPT2],
  ['qwen2', TINY_QWEN2],
])('a key/value prefix on a tiny %s in a packed row', (_, config) => {
  it('is seen by every example of a packed row, each example starting after it', async () => {
    const peft = await prefixTuned(config);
    const [a, c] = [
      [3, 1, 4],
      [9, 2],
    ];
    const T = 5;
    const mask = Array.from({ length: T * T }, (_, i) => {
      const [q, k] = [Math.floor(i / T), i % T];
      return k <= q && q < 3 === k < 3 ? 0 : Number.NEGATIVE_INFINITY;
    });
    const packed = await logitsOf(peft.model, [[...a, ...c]], { positions: [0, 1, 2, 0, 1], mask });
    const alone = async (ex: number[]) =>
      fromPosition(
        await logitsOf(tinyModel(config), [[...PROMPT_IDS, ...ex]]),
        1,
        N + ex.length,
        N,
      );
    expect(maxAbsDiff(packed.slice(0, 3 * VOCAB), await alone(a))).toBeLessThan(1e-5);
    expect(maxAbsDiff(packed.slice(3 * VOCAB), await alone(c))).toBeLessThan(1e-5);
  });
});
