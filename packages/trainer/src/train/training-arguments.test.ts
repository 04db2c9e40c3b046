import { UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import {
  parseTrainingArguments,
  pickTrainingArguments,
  trainingArgumentsSchema,
} from './training-arguments.js';

describe('TrainingArguments', () => {
  it("has transformers' defaults", () => {
    const args = parseTrainingArguments({});
    expect(args).toMatchObject({
      output_dir: 'trainer_output',
      learning_rate: 5e-5,
      per_device_train_batch_size: 8,
      gradient_accumulation_steps: 1,
      num_train_epochs: 3,
      max_steps: -1,
      lr_scheduler_type: 'linear',
      warmup_steps: 0,
      warmup_ratio: 0,
      weight_decay: 0,
      adam_beta1: 0.9,
      adam_beta2: 0.999,
      adam_epsilon: 1e-8,
      max_grad_norm: 1,
      label_smoothing_factor: 0,
      seed: 42,
      logging_steps: 500,
      save_steps: 500,
      save_total_limit: null,
      neftune_noise_alpha: null,
      layerwise_lr_decay: null,
      rdrop_alpha: 0,
      overwrite_output_dir: false,
    });
  });

  it('documents every field', () => {
    for (const [key, field] of Object.entries(trainingArgumentsSchema.shape))
      expect(field.description, key).toMatch(/\w/);
  });

  it('names the unknown key and the bad field', () => {
    expect(() => parseTrainingArguments({ learning_rat: 1e-4 }, 'train.yaml')).toThrow(
      /train\.yaml: .*learning_rat/,
    );
    expect(() => parseTrainingArguments({ lr_scheduler_type: 'step' }, 'train.yaml')).toThrow(
      UserError,
    );
    expect(() => parseTrainingArguments({ logging_steps: 2.5 })).toThrow(/logging_steps/);
    expect(() => parseTrainingArguments({ layerwise_lr_decay: 1.5 })).toThrow(
      /layerwise_lr_decay: expected a decay in \(0, 1\]/,
    );
  });

  it('refuses a negative max_steps other than -1 (transformers: unset), which used to mean unset', () => {
    expect(() => parseTrainingArguments({ max_steps: -5 }, 'train.yaml')).toThrow(
      /train\.yaml: max_steps: expected a positive number of steps, or -1/,
    );
    expect(parseTrainingArguments({ max_steps: -1 }).max_steps).toBe(-1);
    expect(parseTrainingArguments({ max_steps: 5 }).max_steps).toBe(5);
  });

  it('picks the training-argument keys of a parsed flat config, as they were parsed', () => {
    const args = parseTrainingArguments({ learning_rate: 1e-4 });
    const picked = pickTrainingArguments({ ...args, model: 'x', lora_alpha: 16 } as typeof args);
    expect(picked).toEqual(args);
    expect(picked).not.toHaveProperty('model');
  });
});
