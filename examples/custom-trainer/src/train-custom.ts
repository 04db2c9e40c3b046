import { fileURLToPath } from 'node:url';
import { plugin as onnx } from '@tunekit/backend-onnx';
import { corePlugins, createContainer, type TrainerLogs } from '@tunekit/core';
import { plugin as lora } from '@tunekit/peft-lora';
import { plugin as templates } from '@tunekit/templates';
import { parseTrainConfig, plugin as trainer, trainFromConfig } from '@tunekit/trainer';
import { focalLoss } from './focal-loss.js';
import { TargetLossCallback } from './target-loss-callback.js';

const repo = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

export interface CustomTrainingOptions {
  readonly outputDir: string;
  readonly maxSteps: number;
  /** Stop once the mean loss of the last `window` steps is below this. */
  readonly targetLoss: number;
  readonly window: number;
  /** Eval questions answered before and after, for exact match. */
  readonly numSamples: number;
  /** Progress and summary lines; silent by default. */
  readonly print?: (line: string) => void;
}

export interface CustomTrainingResult {
  readonly globalStep: number;
  readonly losses: readonly number[];
  readonly stoppedAt?: number;
  /** The evaluation before the first step and after the last (eval_loss, eval_exact_match...). */
  readonly before: TrainerLogs;
  readonly after: TrainerLogs;
}

/**
 * The quickstart's job as a config object, trained by the library API `tunekit train` wraps (the
 * stock data pipeline, LoRA, Trainer, progress bar, metrics log and report), with a focal loss in
 * place of the cross-entropy and a callback that stops at a target loss. Saves the adapter, its
 * tokenizer and training record into `outputDir`.
 */
export async function trainCustom(opts: CustomTrainingOptions): Promise<CustomTrainingResult> {
  const container = createContainer([...corePlugins, onnx, lora, templates, trainer]);
  const config = parseTrainConfig(
    {
      model: repo('models/tunekit-tiny-chat'),
      backend: 'onnx',
      peft: { method: 'lora', r: 8, lora_alpha: 16, target_modules: 'all-linear' },
      train: 'quickstart/data/train.jsonl',
      eval: 'quickstart/data/eval.jsonl',
      template: 'chatml',
      max_length: 64,
      per_device_train_batch_size: 16,
      output_dir: opts.outputDir,
      max_steps: opts.maxSteps,
      learning_rate: 2e-3,
      warmup_steps: Math.ceil(opts.maxSteps / 15),
      logging_steps: 25,
      save_strategy: 'no',
      generation: { num_samples: opts.numSamples, max_new_tokens: 8 },
    },
    container,
  );
  const target = new TargetLossCallback(opts.targetLoss, opts.window);
  const result = await trainFromConfig(config, {
    container,
    configDir: repo('examples'),
    print: opts.print,
    computeLoss: focalLoss(2),
    callbacks: [target],
  });
  return {
    globalStep: result.globalStep,
    losses: target.losses,
    stoppedAt: target.stoppedAt,
    before: result.metrics.before ?? {},
    after: result.metrics.after ?? {},
  };
}
