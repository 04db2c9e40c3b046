import {
  type Backend,
  type CausalLM,
  inputPositionsOf,
  type Logger,
  type MetricValues,
  type PeftModel,
  readGenerationConfigFile,
  resolveAllOf,
  TOKENS,
  type Tokenizer,
} from '@tunekit/core';
import type { TemplateFingerprint } from '@tunekit/templates';
import type { DependencyContainer } from 'tsyringe';
import { type BatchPlan, type DataStats, loadSftData } from '../data/index.js';
import {
  dpoLoss,
  dpoSettings,
  loadPreferenceData,
  PreferenceEvaluator,
  referenceLogps,
} from '../dpo/index.js';
import { Evaluator, evaluateTasks } from '../eval/index.js';
import { KtoEvaluator, ktoLogs, ktoLoss, ktoSettings, loadUnpairedData } from '../kto/index.js';
import {
  type ComputeLoss,
  type ComputeLossWithOutputs,
  type EpochPlans,
  type EvaluateFn,
  type OutputLogs,
  type ReportCallback,
  taskWeightedLoss,
} from '../train/index.js';
import { evalGeneration, noteCutAnswersOnce } from './eval-generation.js';
import { type TaskRecord, taskRecords, tasksSectionHtml } from './task-report.js';
import type { TrainConfig } from './train-config.js';

/** What a job trains on and how it is scored, by `trainer:`: SFT data, DPO pairs or KTO examples. */
export interface TrainingData {
  readonly stats: DataStats;
  readonly template: TemplateFingerprint;
  readonly trainData: EpochPlans;
  /** Absent without eval data. */
  readonly evaluate?: EvaluateFn;
  /** DPO's or a task head's loss; absent for SFT (the caller's, or the causal-LM cross-entropy). */
  readonly computeLoss?: ComputeLoss | ComputeLossWithOutputs;
  /** A multi-head run's loss of each other head, by its name (`TrainerOptions.headLosses`). */
  readonly headLosses?: Readonly<Record<string, ComputeLoss>>;
  /** How the loss's outputs are logged (KTO's); absent: means over the items. */
  readonly outputLogs?: OutputLogs;
  /** Multi-task SFT: each task's weights and first and last eval metrics (training_record.json). */
  tasks?(): Record<string, TaskRecord> | undefined;
  /** Frees the evaluation graphs. */
  dispose(): void;
}

export interface TrainingDataDeps {
  readonly container: DependencyContainer;
  readonly backend: Backend;
  readonly model: CausalLM;
  readonly peft?: PeftModel;
  readonly tokenizer: Tokenizer;
  /** The model folder (tokenizer files, generation_config.json). */
  readonly folder: string;
  readonly configDir: string;
  readonly logger: Logger;
  readonly warn: (line: string) => void;
  /** The report, for the per-task section of a multi-task run. */
  readonly report?: ReportCallback;
}

/** The job's data, evaluation and loss for its `trainer:`. */
export function loadTrainingData(
  config: TrainConfig,
  deps: TrainingDataDeps,
): Promise<TrainingData> {
  const load = { sft: sftTraining, dpo: preferenceTraining, kto: unpairedTraining } as const;
  return load[config.trainer](config, deps);
}

async function sftTraining(config: TrainConfig, deps: TrainingDataDeps): Promise<TrainingData> {
  const { model, backend, tokenizer } = deps;
  const data = await loadSftData(config, {
    container: deps.container,
    tokenizer,
    baseDir: deps.configDir,
    tokenizerDir: deps.folder,
  });
  const evalBatches = data.eval;
  // each task's metrics at the first and the latest evaluation, for the report and the record
  let firstTasks: Readonly<Record<string, MetricValues>> | undefined;
  let lastTasks: Readonly<Record<string, MetricValues>> | undefined;
  const evaluator =
    evalBatches &&
    new Evaluator({
      model,
      backend,
      tokenizer,
      generation: evalGeneration(
        config.generation,
        config.per_device_eval_batch_size,
        (await readGenerationConfigFile(deps.folder)) ?? {},
      ),
      metrics: resolveAllOf(deps.container, TOKENS.Metric),
    });
  return {
    stats: data.stats,
    template: data.template,
    trainData: (epoch) => data.train(epoch),
    evaluate:
      evaluator &&
      noteCutAnswersOnce(
        async () => {
          const result = await evaluateTasks(
            evaluator,
            evalBatches,
            data.evalPrompts,
            data.evalTasks,
          );
          firstTasks ??= result.tasks;
          lastTasks = result.tasks;
          const tasks = taskRecords(data.stats, config.task_loss_weights, firstTasks, lastTasks);
          if (tasks) deps.report?.setSection('Tasks', tasksSectionHtml(tasks));
          return result;
        },
        { maxNewTokens: config.generation.max_new_tokens, positions: inputPositionsOf(model) },
        deps.warn,
      ),
    tasks: () => taskRecords(data.stats, config.task_loss_weights, firstTasks, lastTasks),
    ...(config.task_loss_weights && {
      computeLoss: taskWeightedLoss(config.label_smoothing_factor),
    }),
    dispose: () => evaluator?.dispose(),
  };
}

/**
 * DPO: preference pairs, TRL's DPO loss, and an evaluation of its rewards on the eval pairs. With
 * precompute_ref_log_probs, one pass over the training and eval pairs before training gives the
 * reference log-probs (the base with the adapter disabled, or the initial weights).
 */
async function preferenceTraining(
  config: TrainConfig,
  deps: TrainingDataDeps,
): Promise<TrainingData> {
  const settings = dpoSettings(config);
  const data = await loadPreferenceData(config, settings, dataDeps(deps));
  return referencedTraining(data, deps, {
    name: 'dpo',
    precompute: settings.precompute_ref_log_probs && !settings.reference_free,
    counts: [data.trainPairs.length, data.evalPairs.length],
    evaluator: () => new PreferenceEvaluator({ ...deps, settings }),
    computeLoss: dpoLoss(settings),
  });
}

/**
 * KTO: unpaired examples (and pairs unpaired), TRL's KTO loss, and an evaluation of its rewards
 * and KL on the eval examples. With precompute_ref_log_probs, one pass over the training and eval
 * examples before training gives the reference log-probs of their answers and KL rows.
 */
async function unpairedTraining(
  config: TrainConfig,
  deps: TrainingDataDeps,
): Promise<TrainingData> {
  const settings = ktoSettings(config);
  const data = await loadUnpairedData(config, settings, dataDeps(deps));
  return referencedTraining(data, deps, {
    name: 'kto',
    precompute: settings.precompute_ref_log_probs,
    counts: [data.trainExamples.length, data.evalExamples.length],
    evaluator: () => new KtoEvaluator({ ...deps, settings }),
    computeLoss: ktoLoss(settings),
    outputLogs: ktoLogs,
  });
}

function dataDeps(deps: TrainingDataDeps) {
  return {
    container: deps.container,
    tokenizer: deps.tokenizer,
    baseDir: deps.configDir,
    tokenizerDir: deps.folder,
  };
}

/** DPO's and KTO's data: batches that may carry precomputed reference log-probs. */
interface ReferencedData {
  readonly stats: DataStats;
  readonly template: TemplateFingerprint;
  train(epoch: number, reference?: Float64Array): BatchPlan;
  trainInOrder(): BatchPlan;
  eval(reference?: Float64Array): BatchPlan | undefined;
}

/**
 * A preference trainer's run on `data`: with `precompute`, one pass over the training and the eval
 * items (`counts`) with the reference model first (the base with the adapter disabled, or the
 * initial weights); the evaluator scores the eval batches.
 */
async function referencedTraining(
  data: ReferencedData,
  deps: TrainingDataDeps,
  opts: {
    readonly name: string;
    readonly precompute: boolean;
    readonly counts: readonly [number, number];
    readonly evaluator: () => {
      evaluate(batches: BatchPlan, count: number): Promise<Record<string, number>>;
      dispose(): void;
    };
    readonly computeLoss: ComputeLossWithOutputs;
    readonly outputLogs?: OutputLogs;
  },
): Promise<TrainingData> {
  const { model, backend, peft } = deps;
  const [trainCount, evalCount] = opts.counts;
  let trainReference: Float64Array | undefined;
  let evalReference: Float64Array | undefined;
  if (opts.precompute) {
    const pass = (batches: BatchPlan | undefined, pairs: number) =>
      batches && referenceLogps({ model, backend, peft, batches, pairs });
    trainReference = await pass(data.trainInOrder(), trainCount);
    evalReference = await pass(data.eval(), evalCount);
    deps.logger.info(
      `${opts.name}: reference log-probs precomputed for ${trainCount + evalCount} ${opts.name === 'dpo' ? 'pairs' : 'examples'}`,
    );
  }
  const evalBatches = data.eval(evalReference);
  const evaluator = evalBatches && opts.evaluator();
  return {
    stats: data.stats,
    template: data.template,
    trainData: (epoch) => data.train(epoch, trainReference),
    evaluate:
      evaluator && (async () => ({ metrics: await evaluator.evaluate(evalBatches, evalCount) })),
    computeLoss: opts.computeLoss,
    ...(opts.outputLogs && { outputLogs: opts.outputLogs }),
    dispose: () => evaluator?.dispose(),
  };
}
