import { describe, expect, it } from 'vitest';
import { Module } from '../nn/module.js';
import type { TraceContext } from '../nn/trace-context.js';
import { buildCausalLM } from './build-causal-lm.js';
import type { CausalLMInputs } from './causal-lm.js';
import { EmbeddingModel } from './embedding-model.js';
import { MultiHeadModel } from './multi-head-model.js';
import { SequenceClassifier } from './sequence-classifier.js';
import type { TaskModel } from './task-model.js';
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

describe('MultiHeadModel: several heads on one trunk', () => {
  it("keeps the causal LM's names and logits as its default head and runs a score head on the same hidden states", async () => {
    const config = tinyLlamaConfig();
    const causal = randomModel(config);
    const { family } = buildCausalLM(config);
    const model = MultiHeadModel.withClassificationHeads(causal, config, [
      { name: 'score', numLabels: 3 },
    ]);
    const classifier = SequenceClassifier.fromCausalLM(causal, family, config, {
      numLabels: 3,
      seed: 0,
    });
    expect(model.heads).toEqual([
      { name: 'lm_head', size: causal.shape.vocabSize },
      { name: 'score', size: 3 },
    ]);
    const names = model.namedParameters().map(([name]) => name);
    expect(names).toEqual([...causal.namedParameters().map(([name]) => name), 'score.weight']);
    const ids = { ids: [[1, 2, 3]] };
    expect((await runModel(model, ids)).logits.toFloat64()).toEqual(
      (await runModel(causal, ids)).logits.toFloat64(),
    );
    // the same seed gives the same score head: the classifier's logits
    const scored = (await runModel(new HeadView(model, 'score'), ids)).logits;
    expect(scored.shape).toEqual([1, 3, 3]);
    const expected = (await runModel(classifier, ids)).logits.toFloat64();
    scored.toFloat64().forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i], 5);
    });
    await expect(runModel(new HeadView(model, 'intent'), ids)).rejects.toThrow(
      "MultiHeadModel has no head 'intent' (its heads: lm_head, score)",
    );
  });
});

/** `model` traced through one of its heads. */
class HeadView extends Module implements TaskModel {
  readonly shape: TaskModel['shape'];
  readonly heads: TaskModel['heads'];
  constructor(
    private readonly model: TaskModel,
    private readonly head: string,
  ) {
    super();
    this.addModule('inner', model);
    this.shape = model.shape;
    this.heads = model.heads;
  }
  forward(ctx: TraceContext, inputs: CausalLMInputs) {
    return this.model.forward(ctx, inputs, this.head);
  }
}
