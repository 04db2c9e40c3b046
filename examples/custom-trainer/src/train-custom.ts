import { fileURLToPath } from 'node:url';
import { plugin as onnx } from '@tunekit/backend-onnx';
import {
  corePlugins,
  createContainer,
  loadCausalLM,
  type MetricValues,
  PeftModel,
  resolveBackend,
  Tokenizer,
} from '@tunekit/core';
import { denseLinearDispatcher, plugin as lora, loraMethod } from '@tunekit/peft-lora';
import { plugin as templates } from '@tunekit/templates';
import {
  builtinCallbacks,
  Evaluator,
  loadSftData,
  parseTrainingArguments,
  Trainer,
  plugin as trainer,
} from '@tunekit/trainer';
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
}

export interface CustomTrainingResult {
  readonly globalStep: number;
  readonly losses: readonly number[];
  readonly stoppedAt?: number;
  readonly before: MetricValues;
  readonly after: MetricValues;
}

/**
 * The quickstart's job composed in code: the stock data pipeline, LoRA, Trainer, progress bar,
 * metrics log and report, with a focal loss in place of the cross-entropy and a callback that
 * stops at a target loss. Saves the adapter into `outputDir`.
 */
export async function trainCustom(opts: CustomTrainingOptions): Promise<CustomTrainingResult> {
  const container = createContainer([...corePlugins, onnx, lora, templates, trainer]);
  const backend = await resolveBackend(container, 'onnx');
  try {
    const modelDir = repo('models/tunekit-tiny-chat');
    const tokenizer = await Tokenizer.fromFolder(modelDir);
    const { model } = await loadCausalLM(modelDir, { families: container });
    const peft = PeftModel.create(
      model,
      loraMethod,
      { r: 8, lora_alpha: 16, target_modules: 'all-linear' },
      { dispatchers: [denseLinearDispatcher], modelType: 'llama', seed: 1 },
    );
    const data = await loadSftData(
      {
        train: 'quickstart/data/train.jsonl',
        eval: 'quickstart/data/eval.jsonl',
        template: 'chatml',
        max_length: 64,
        per_device_train_batch_size: 16,
      },
      { container, tokenizer, baseDir: repo('examples'), tokenizerDir: modelDir },
    );
    const evaluator = new Evaluator({
      model,
      backend,
      tokenizer,
      generation: { numSamples: opts.numSamples, generationConfig: { max_new_tokens: 8 } },
    });
    const evalBatches = data.eval ?? [];
    const args = parseTrainingArguments({
      output_dir: opts.outputDir,
      max_steps: opts.maxSteps,
      learning_rate: 2e-3,
      warmup_steps: Math.ceil(opts.maxSteps / 15),
      logging_steps: 25,
      save_strategy: 'no',
      eval_on_start: true,
    });
    const target = new TargetLossCallback(opts.targetLoss, opts.window);
    const evaluations: MetricValues[] = [];
    const result = await new Trainer({
      backend,
      model,
      peft,
      args,
      trainData: (epoch) => data.train(epoch),
      evaluate: async () => {
        const evaluation = await evaluator.evaluate(evalBatches, data.evalPrompts);
        evaluations.push(evaluation.metrics);
        return evaluation;
      },
      computeLoss: focalLoss(2),
      callbacks: [...builtinCallbacks(args), target],
    }).train();
    evaluator.dispose();
    await peft.save(opts.outputDir, { baseModelNameOrPath: modelDir });
    return {
      globalStep: result.globalStep,
      losses: target.losses,
      stoppedAt: target.stoppedAt,
      before: evaluations[0],
      after: evaluations[evaluations.length - 1],
    };
  } finally {
    await backend.dispose();
  }
}
