import {
  type Backend,
  type CausalLM,
  type PeftModel,
  ReferenceBackend,
  type TrainerLogs,
} from '@tunekit/core';
import type { BatchPlan, TrainBatch } from '../data/index.js';
import { Trainer, type TrainerOptions } from '../train/index.js';
import { plansOf, Recorder, testArgs, tinyLora } from '../train/test-utils.js';
import { referenceLogps } from './reference-logps.js';

/**
 * A preference trainer as its tests train it (DPO's, KTO's): one batch of four pairs or examples,
 * built with or without precomputed reference log-probs, its loss and logs, and its evaluator.
 */
export interface PreferenceSetup<S extends Referenced> {
  readonly settings: S;
  readonly batchOf: (reference?: Float64Array) => TrainBatch;
  readonly computeLoss: (settings: S) => NonNullable<TrainerOptions['computeLoss']>;
  readonly outputLogs?: TrainerOptions['outputLogs'];
  readonly evaluator: (opts: {
    model: CausalLM;
    backend: Backend;
    settings: S;
    peft: PeftModel;
  }) => {
    evaluate(batches: BatchPlan, items: number): Promise<Record<string, number>>;
    dispose(): void;
  };
}

/** The settings key both trainers share: the reference log-probs in the step, or computed first. */
type Referenced = { readonly precompute_ref_log_probs: boolean };

/** The logs of one step of a fresh tiny LoRA (lr 1e-2): the policy is still the reference. */
export async function firstStepLogs<S extends Referenced>(
  setup: PreferenceSetup<S>,
): Promise<TrainerLogs> {
  const { model, peft } = tinyLora();
  const recorder = new Recorder();
  await new Trainer({
    backend: new ReferenceBackend(),
    model,
    peft,
    args: testArgs({ learning_rate: 1e-2, max_steps: 1 }),
    trainData: plansOf([setup.batchOf()]),
    computeLoss: setup.computeLoss(setup.settings),
    outputLogs: setup.outputLogs,
    callbacks: [recorder],
  }).train();
  return recorder.logs[0] ?? {};
}

/**
 * Trains a fresh tiny LoRA `steps` steps at a constant lr 3e-2 on the batch, with the reference
 * log-probs in the step or precomputed (`precompute`), then evaluates it on the same batch: the
 * logged steps (those with a loss) and the evaluation.
 */
export async function trainAndEvaluate<S extends Referenced>(
  setup: PreferenceSetup<S>,
  precompute: boolean,
  steps: number,
): Promise<{ logs: TrainerLogs[]; evaluation: Record<string, number> }> {
  const { model, peft } = tinyLora();
  const backend = new ReferenceBackend();
  const reference = precompute
    ? await referenceLogps({
        model,
        backend,
        peft,
        batches: plansOf([setup.batchOf()])(0),
        pairs: 4,
      })
    : undefined;
  const settings = { ...setup.settings, precompute_ref_log_probs: precompute };
  const recorder = new Recorder();
  await new Trainer({
    backend,
    model,
    peft,
    args: testArgs({ learning_rate: 3e-2, max_steps: steps, lr_scheduler_type: 'constant' }),
    trainData: plansOf([setup.batchOf(reference)]),
    computeLoss: setup.computeLoss(settings),
    outputLogs: setup.outputLogs,
    callbacks: [recorder],
  }).train();
  peft.train(false);
  const evaluator = setup.evaluator({ model, backend, settings, peft });
  const evaluation = await evaluator.evaluate(plansOf([setup.batchOf(reference)])(0), 4);
  evaluator.dispose();
  return { logs: recorder.logs.filter((l) => 'loss' in l), evaluation };
}
