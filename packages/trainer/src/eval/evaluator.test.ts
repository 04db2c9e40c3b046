import {
  createContainer,
  type EvalOutputs,
  HostTensor,
  type Metric,
  ReferenceBackend,
  resolveAllOf,
  TOKENS,
} from '@tunekit/core';
import { recordCompiles } from '@tunekit/core/testing';
import { chatml } from '@tunekit/templates';
import { describe, expect, it } from 'vitest';
import { plugin } from '../plugin.js';
import { BUILTIN_METRICS } from './eval-metrics.js';
import { promptIds } from './generate-samples.js';
import { type EvalBatch, Evaluator, evaluate } from './index.js';
import { answeringModel, BYTE_VOCAB, byteTokenizer, CHATML_IDS } from './test-utils.js';

// The model answers "Paris" to everything, so the expected metrics follow by hand.
const tokenizer = byteTokenizer();
const questions = [
  { where: 'eval.jsonl:1', question: 'Capital of France?', reference: 'Paris' },
  { where: 'eval.jsonl:2', question: 'Capital of Italy?', reference: 'Rome' },
];
const prompts = questions.map(({ where, question, reference }) => ({
  where,
  prompt: chatml.render([{ role: 'user', content: question }], { addGenerationPrompt: true }).text,
  reference,
}));

/** One right-padded batch of the two examples: prompt unsupervised, answer and <|im_end|> supervised. */
function evalBatch(): EvalBatch {
  const rows = prompts.map((p) => {
    const prompt = promptIds(tokenizer, p.prompt);
    const answer = [...[...p.reference].map((c) => c.charCodeAt(0)), CHATML_IDS.im_end];
    return { ids: [...prompt, ...answer], labels: [...prompt.map(() => -100), ...answer] };
  });
  const T = Math.max(...rows.map((r) => r.ids.length));
  const pad = <V>(row: V[], value: V) => [...row, ...new Array<V>(T - row.length).fill(value)];
  return {
    input_ids: HostTensor.from(
      'i32',
      [2, T],
      rows.flatMap((r) => pad(r.ids, CHATML_IDS.im_end)),
    ),
    labels: HostTensor.from(
      'i32',
      [2, T],
      rows.flatMap((r) => pad(r.labels, -100)),
    ),
    position_ids: HostTensor.from(
      'i32',
      [2, T],
      rows.flatMap(() => Array.from({ length: T }, (_, t) => t)),
    ),
  };
}

describe('evaluate', () => {
  it('gives token and generation metrics and the samples of a model whose answers are known', async () => {
    const result = await evaluate({
      model: answeringModel('Paris'),
      backend: new ReferenceBackend(),
      tokenizer,
      batches: [evalBatch()],
      prompts,
    });
    // logits are 10 at the table's next token and 0 elsewhere, so a right guess costs
    // log(e^10 + V - 1) - 10 and a wrong one log(e^10 + V - 1). "Paris<|im_end|>": 6 of 6
    // right; "Rome<|im_end|>": only <|im_end|> after "e" is right (1 of 5).
    const lse = Math.log(Math.exp(10) + BYTE_VOCAB - 1);
    const loss = (7 * (lse - 10) + 4 * lse) / 11;
    expect(result.loss).toBeCloseTo(loss, 4);
    expect(result.perplexity).toBeCloseTo(Math.exp(loss), 3);
    expect(result.token_accuracy).toBeCloseTo(7 / 11, 6);
    expect(result.exact_match).toBe(0.5);
    expect(result.exact_match_normalized).toBe(0.5);
    expect(result.rouge1).toBe(0.5);
    expect(result.rougeL).toBe(0.5);
    // one-word answers have no bigrams or 4-grams: ROUGE-2 and BLEU are 0 whatever the model
    // says, so they are left out
    expect(result.rouge2).toBeUndefined();
    expect(result.bleu).toBeUndefined();
    expect(result.samples.map((s) => [s.where, s.reference, s.prediction])).toEqual([
      ['eval.jsonl:1', 'Paris', 'Paris'],
      ['eval.jsonl:2', 'Rome', 'Paris'],
    ]);
    expect(result.metrics).toMatchObject({ loss: result.loss, rouge1: result.rouge1 });
    expect(Object.keys(result.metrics)).not.toContain('bleu');
  });

  it('skips generation when asked, leaving the generation metrics out', async () => {
    const result = await evaluate({
      model: answeringModel('Paris'),
      backend: new ReferenceBackend(),
      tokenizer,
      batches: [evalBatch()],
      prompts,
      generation: false,
    });
    expect(result.samples).toEqual([]);
    expect(result.exact_match).toBeUndefined();
    expect(Object.keys(result.metrics)).toEqual(['loss', 'perplexity', 'token_accuracy']);
  });

  it('generates for the first numSamples prompts only', async () => {
    const result = await evaluate({
      model: answeringModel('Paris'),
      backend: new ReferenceBackend(),
      tokenizer,
      batches: [evalBatch()],
      prompts,
      generation: { numSamples: 1 },
    });
    expect(result.samples.map((s) => s.where)).toEqual(['eval.jsonl:1']);
    expect(result.exact_match).toBe(1);
  });

  it('runs extra metrics once beside the built-ins, and rejects a name reported twice', async () => {
    const supervised: Metric<EvalOutputs> = {
      id: 'supervised_tokens',
      compute: ({ tokens }) => ({ supervised_tokens: tokens.tokens }),
    };
    const common = {
      model: answeringModel('Paris'),
      backend: new ReferenceBackend(),
      tokenizer,
      batches: [evalBatch()],
      prompts,
      generation: false as const,
    };
    const result = await evaluate({ ...common, metrics: [...BUILTIN_METRICS, supervised] });
    expect(result.metrics.supervised_tokens).toBe(11);
    const clash: Metric<EvalOutputs> = { id: 'my_loss', compute: () => ({ loss: 0 }) };
    await expect(evaluate({ ...common, metrics: [clash] })).rejects.toThrow(
      "metrics 'loss' and 'my_loss' both report 'loss'",
    );
  });

  // before: `tunekit eval` printed `loss NaN` and exited 0
  it('fails naming the metrics that are not finite', async () => {
    const model = answeringModel('Paris');
    const [[, table]] = model.namedParameters();
    const poisoned = table.value.toFloat64();
    poisoned.fill(Number.NaN);
    table.value = HostTensor.from('f32', table.value.shape, poisoned);
    await expect(
      evaluate({
        model,
        backend: new ReferenceBackend(),
        tokenizer,
        batches: [evalBatch()],
        prompts,
        generation: false,
      }),
    ).rejects.toThrow(
      /^evaluation: metric loss is NaN, perplexity is NaN; the model's outputs are not finite/,
    );
  });

  it('fails on eval batches without supervised tokens', async () => {
    const batch = evalBatch();
    const none = {
      ...batch,
      labels: HostTensor.from('i32', batch.labels.shape, new Array(batch.labels.size).fill(-100)),
    };
    await expect(
      evaluate({
        model: answeringModel('Paris'),
        backend: new ReferenceBackend(),
        tokenizer,
        batches: [none],
        prompts,
      }),
    ).rejects.toThrow(/no supervised tokens/);
  });
});

describe('Evaluator', () => {
  it('reads the current weights at each evaluation, compiling its graphs once', async () => {
    const backend = new ReferenceBackend();
    const compiled = recordCompiles(backend);
    const model = answeringModel('Paris');
    const evaluator = new Evaluator({ model, backend, tokenizer });
    const first = await evaluator.evaluate([evalBatch()], prompts);
    const graphs = compiled.length;
    // "training" makes it answer Rome
    const [[, table]] = model.namedParameters();
    table.value = answeringModel('Rome').namedParameters()[0][1].value;
    const second = await evaluator.evaluate([evalBatch()], prompts);
    evaluator.dispose();
    expect(first.samples.map((s) => s.prediction)).toEqual(['Paris', 'Paris']);
    expect(second.samples.map((s) => s.prediction)).toEqual(['Rome', 'Rome']);
    expect(second.exact_match).toBe(0.5);
    expect(second.loss).not.toBe(first.loss);
    expect(compiled).toHaveLength(graphs);
  });
});

describe('plugin', () => {
  it('registers the built-in metrics under TOKENS.Metric', () => {
    const container = createContainer([plugin]);
    const ids = resolveAllOf(container, TOKENS.Metric).map((m) => m.id);
    for (const metric of BUILTIN_METRICS) expect(ids).toContain(metric.id);
  });
});
