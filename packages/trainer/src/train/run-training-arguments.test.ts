import {
  corePlugins,
  createContainer,
  createRunContainer,
  ReferenceBackend,
  resolveAllOf,
  TOKENS,
} from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { plugin } from '../plugin.js';
import { runTrainingArguments } from './run-training-arguments.js';

const logger = { info() {}, warn() {} };

describe('built-in trainer callbacks as plugins', () => {
  it('are made fresh for each run and read the training arguments of its RunConfig', async () => {
    const root = createContainer([...corePlugins, plugin]);
    const run = createRunContainer(root, {
      backend: new ReferenceBackend(),
      config: { learning_rate: 2e-4, lora_alpha: 16, early_stopping_patience: 3 },
      logger,
    });
    try {
      const ids = resolveAllOf(run, TOKENS.TrainerCallback).map((c) => c.id);
      expect(ids).toEqual(['progress_bar', 'jsonl_metrics', 'report', 'early_stopping']);
      const [a, b] = [
        resolveAllOf(run, TOKENS.TrainerCallback),
        resolveAllOf(run, TOKENS.TrainerCallback),
      ];
      expect(a[2]).not.toBe(b[2]);
      expect(runTrainingArguments(run)).toMatchObject({
        learning_rate: 2e-4,
        early_stopping_patience: 3,
        seed: 42,
      });
    } finally {
      await run.dispose();
    }
  });
});
