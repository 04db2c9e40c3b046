import { buildCausalLM, PeftModel, SequenceClassifier } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { promptTuningMethod } from '../src/index.js';
import { logitsOf, TINY_LLAMA, tinyModel } from './helpers.js';

describe('prompt learning on a task head', () => {
  it('is refused when the classifier runs, not trained to no effect', async () => {
    const { family } = buildCausalLM(TINY_LLAMA);
    const classifier = SequenceClassifier.fromCausalLM(tinyModel(TINY_LLAMA), family, TINY_LLAMA, {
      numLabels: 2,
    });
    const peft = PeftModel.create(
      classifier,
      promptTuningMethod,
      { task_type: 'SEQ_CLS', num_virtual_tokens: 2 },
      { modelConfig: TINY_LLAMA },
    );
    await expect(logitsOf(peft.model, [[1, 2, 3]])).rejects.toThrow(
      /a prompt-learning adapter .* trains causal LMs only/,
    );
  });
});
