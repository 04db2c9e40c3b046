import { HostTensor, PeftModel } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { promptTuningMethod } from '../src/index.js';
import { logitsOf, maxAbsDiff, TINY_GPT2, TINY_LLAMA, tinyModel } from './helpers.js';

const PROMPT_IDS = [5, 11, 2];
const N = PROMPT_IDS.length;
const VOCAB = 24;

/** The model with prompt tuning whose virtual tokens are the word embeddings of PROMPT_IDS. */
function promptTuned(config: Readonly<Record<string, unknown>>) {
  const peft = PeftModel.create(
    tinyModel(config),
    promptTuningMethod,
    { num_virtual_tokens: N },
    { modelConfig: config },
  );
  const [words] = peft.model.namedParameters().map(([, p]) => p.value); // the input embeddings
  const dim = words.shape[1];
  const rows = PROMPT_IDS.flatMap((id) => [
    ...words.toFloat64().subarray(id * dim, (id + 1) * dim),
  ]);
  const [prompt] = peft.adapterParameters().values();
  prompt.value = HostTensor.from('f32', [N, dim], rows);
  return peft;
}

/** Rows t >= from of logits [rows, T, V], as one flat array. */
function fromPosition(logits: Float64Array, rows: number, seq: number, from: number): number[] {
  return Array.from({ length: rows }, (_, r) =>
    Array.from(logits.subarray((r * seq + from) * VOCAB, (r + 1) * seq * VOCAB)),
  ).flat();
}

describe.each([
  ['llama', TINY_LLAMA],
  ['gpt2', TINY_GPT2],
])('virtual tokens on a tiny %s', (_, config) => {
  const rows = [
    [3, 1, 4, 1, 5],
    [9, 2, 6, 5, 3],
  ];

  it('give the logits of the base model run on the prompt tokens followed by the input', async () => {
    const peft = promptTuned(config);
    const tuned = await logitsOf(peft.model, rows);
    expect(tuned).toHaveLength(2 * 5 * VOCAB); // the virtual tokens' rows are not returned
    const base = await logitsOf(
      tinyModel(config),
      rows.map((r) => [...PROMPT_IDS, ...r]),
    );
    expect(maxAbsDiff(tuned, fromPosition(base, 2, N + 5, N))).toBeLessThan(1e-5);
  });

  it('are seen by every example of a packed row, each example starting after them', async () => {
    const peft = promptTuned(config);
    const [a, c] = [
      [3, 1, 4],
      [9, 2],
    ];
    // block-diagonal mask over the packed row a ++ c; positions restart per example
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
