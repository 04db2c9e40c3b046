import type { EvalOutputs } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { corpusBleu } from './bleu.js';
import { bleuMetric, rougeMetric } from './eval-metrics.js';
import { inapplicableMetrics } from './inapplicable-metrics.js';

const tokens = { tokens: 0, lossSum: 0, correct: 0 };
const outputs = (pairs: [reference: string, prediction: string][]): EvalOutputs => ({
  tokens,
  samples: pairs.map(([reference, prediction], i) => ({
    where: `eval.jsonl:${i + 1}`,
    prompt: '',
    reference,
    prediction,
    finishReason: 'eos',
    maxNewTokens: 8,
  })),
});

describe('n-gram metrics that cannot apply', () => {
  it('leaves out BLEU and ROUGE-2 beside exact answers of one word', async () => {
    const exact = outputs([
      ['117', '117'],
      ['24', '24'],
    ]);
    expect(await bleuMetric.compute(exact)).toEqual({});
    expect(await rougeMetric.compute(exact)).toEqual({ rouge1: 1, rougeL: 1 });
    expect(inapplicableMetrics(['117', '24'])).toEqual([
      { metric: 'bleu', order: 4 },
      { metric: 'rouge2', order: 2 },
    ]);
  });

  it('scores references long enough for their n-grams', async () => {
    const pairs: [string, string][] = [
      ['the cat sat on the mat', 'the cat sat on a mat'],
      ['Paris', 'Paris'],
    ];
    const predictions = pairs.map(([, p]) => p);
    const references = pairs.map(([r]) => r);
    expect(await bleuMetric.compute(outputs(pairs))).toEqual({
      bleu: corpusBleu(predictions, [references]).score,
    });
    expect(Object.keys(await rougeMetric.compute(outputs(pairs)))).toEqual([
      'rouge1',
      'rouge2',
      'rougeL',
    ]);
    expect(inapplicableMetrics(references)).toEqual([]);
    expect(inapplicableMetrics(['two words'])).toEqual([{ metric: 'bleu', order: 4 }]);
  });
});
