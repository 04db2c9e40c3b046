import { describe, expect, it } from 'vitest';
import { buildCausalLM } from './build-causal-lm.js';
import { EmbeddingModel } from './embedding-model.js';
import { SequenceClassifier } from './sequence-classifier.js';
import { randomModel, runModel, TINY_GPT2_CONFIG, tinyLlamaConfig } from './test-utils.js';

describe("transformers' task classes over a decoder family", () => {
  it.each([
    ['llama', tinyLlamaConfig(), 'model', 16],
    ['gpt2', TINY_GPT2_CONFIG, 'transformer', 8],
  ] as const)(
    '%s: *ForSequenceClassification is the base model and a bias-free score head',
    async (_, config, prefix, hidden) => {
      const { model: causal, family } = buildCausalLM(config);
      const model = SequenceClassifier.fromCausalLM(causal, family, config, { numLabels: 3 });
      const names = model.namedParameters().map(([name]) => name);
      expect(names.every((n) => n.startsWith(`${prefix}.`) || n === 'score.weight')).toBe(true);
      expect(names.some((n) => n.startsWith('lm_head'))).toBe(false);
      expect(new Map(model.namedParameters()).get('score.weight')?.shape).toEqual([3, hidden]);
    },
  );

  it('runs the base model under the head: per-token class logits, the hidden states of the causal LM', async () => {
    const causal = randomModel(tinyLlamaConfig());
    const { family } = buildCausalLM(tinyLlamaConfig());
    const classifier = SequenceClassifier.fromCausalLM(causal, family, tinyLlamaConfig(), {
      numLabels: 2,
    });
    const { logits } = await runModel(classifier, { ids: [[1, 2, 3]] });
    expect(logits.shape).toEqual([1, 3, 2]);
    const encoder = EmbeddingModel.fromCausalLM(causal, family);
    expect(encoder.namedParameters().some(([n]) => n.startsWith('model.'))).toBe(false);
    const hidden = (await runModel(encoder, { ids: [[1, 2, 3]] })).logits;
    expect(hidden.shape).toEqual([1, 3, 16]);
    // score(hidden) is the classifier's logits
    const w = new Map(classifier.namedParameters()).get('score.weight')?.value.toFloat64() ?? [];
    const h = hidden.toFloat64();
    const last = [0, 1].map((c) => h.slice(32, 48).reduce((s, v, i) => s + v * w[c * 16 + i], 0));
    const got = logits.toFloat64();
    expect(got[4]).toBeCloseTo(last[0], 4);
    expect(got[5]).toBeCloseTo(last[1], 4);
  });
});
