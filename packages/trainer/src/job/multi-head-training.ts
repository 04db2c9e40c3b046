import {
  type Backend,
  type ClassificationHeadSpec,
  type MetricValues,
  type TaskModel,
  UserError,
} from '@tunekit/core';
import {
  type BatchPlan,
  type ClassificationData,
  type DataStats,
  epochRandom,
  type LoadSftDataDeps,
  loadClassificationData,
  sha256OfJson,
  shuffle,
  type TrainBatch,
} from '../data/index.js';
import {
  type ComputeLoss,
  type ReportCallback,
  sequenceClassificationLoss,
  type TrainerEvaluation,
} from '../train/index.js';
import { ClassifierEvaluation } from './classification-job.js';
import type { HeadTaskConfig } from './multi-head-config.js';
import { type TaskRecord, tasksSectionHtml } from './task-report.js';
import type { TrainingData } from './training-data.js';
import type { HeadRecord } from './training-record.js';

/** A classification task on a head of its own: its config and its data. */
export interface HeadTask {
  readonly config: HeadTaskConfig;
  readonly data: ClassificationData;
}

/** Each head task's classification data, loaded before the model (the labels size the heads). */
export function loadHeadTasks(
  configs: readonly HeadTaskConfig[],
  deps: LoadSftDataDeps,
): Promise<HeadTask[]> {
  return Promise.all(
    configs.map(async (config) => {
      const data = await loadClassificationData(config.data, deps);
      const wanted = config.head.num_labels;
      if (wanted !== undefined && wanted !== data.labels.numLabels)
        throw new UserError(
          `train: task '${config.task}': head.num_labels is ${wanted}, but its labels are ${data.labels.numLabels} (${data.labels.names.join(', ')})`,
        );
      return { config, data };
    }),
  );
}

/** The heads the model gets: one `score` Linear per task, sized by its labels. */
export function headSpecs(tasks: readonly HeadTask[]): ClassificationHeadSpec[] {
  return tasks.map(({ config, data }) => ({
    name: config.module,
    numLabels: data.labels.numLabels,
  }));
}

/** What training_record.json says of each head: its module and transformers' label fields. */
export function headsRecord(tasks: readonly HeadTask[]): Record<string, HeadRecord> {
  return Object.fromEntries(
    tasks.map(({ config, data }) => [
      config.task,
      {
        module: config.module,
        task_type: config.head.task_type,
        num_labels: data.labels.numLabels,
        ...data.labels.toConfig(),
      },
    ]),
  );
}

export interface MultiHeadTrainingOptions {
  readonly model: TaskModel;
  readonly backend: Backend;
  readonly seed: number;
  readonly lossWeights?: Readonly<Record<string, number>>;
  readonly report?: ReportCallback;
}

/** A multi-head run's data: the LM tasks' and each head task's, and the head tasks' report files. */
export interface MultiHeadTrainingData extends TrainingData {
  /** Writes each head task's `classification_report_<task>.json`; returns their names. */
  writeFiles(dir: string): Promise<string[]>;
}

/**
 * Several heads on one model: each epoch's batches are the LM tasks' (`lm`, mixed as they are)
 * and each head task's, interleaved in a seeded order, every batch of one task only, so its loss
 * is its head's: the causal-LM loss, or the head's classification loss times its
 * task_loss_weights entry. An evaluation runs the LM tasks' and then each head's (accuracy,
 * macro-F1, confusion matrix), its metrics named `<task>_<metric>`.
 */
export function multiHeadTraining(
  lm: TrainingData,
  tasks: readonly HeadTask[],
  opts: MultiHeadTrainingOptions,
): MultiHeadTrainingData {
  const { report } = opts;
  const evaluations = tasks.map(({ config, data }) => {
    if (!data.eval) return undefined;
    const evaluation = new ClassifierEvaluation(opts.model, opts.backend, data, config.module);
    evaluation.onConfusionMatrix = (html) =>
      report?.setSection(`Confusion matrix: ${config.task}`, html);
    return evaluation;
  });
  const weightOf = (task: string) => opts.lossWeights?.[task] ?? 1;
  let first: Record<string, MetricValues> | undefined;
  let last: Record<string, MetricValues> | undefined;
  const records = (): Record<string, TaskRecord> => ({
    ...lm.tasks?.(),
    ...Object.fromEntries(
      tasks.map(({ config, data }) => [
        config.task,
        {
          train_examples: data.stats.examples,
          mix_weight: 1,
          loss_weight: weightOf(config.task),
          ...(first?.[config.task] && { before: first[config.task] }),
          ...(last?.[config.task] && { after: last[config.task] }),
        },
      ]),
    ),
  });
  const evaluate = async (): Promise<TrainerEvaluation> => {
    const own = lm.evaluate ? await lm.evaluate() : { metrics: {} };
    const metrics: Record<string, number> = { ...own.metrics };
    const byTask: Record<string, MetricValues> = {};
    for (const [k, evaluation] of evaluations.entries()) {
      if (!evaluation) continue;
      const { task } = tasks[k].config;
      byTask[task] = (await evaluation.evaluate()).metrics;
      for (const [name, value] of Object.entries(byTask[task])) metrics[`${task}_${name}`] = value;
    }
    first ??= byTask;
    last = byTask;
    report?.setSection('Tasks', tasksSectionHtml(records()));
    return { metrics, samples: own.samples };
  };
  const headLosses = Object.fromEntries(
    tasks.map(({ config }): [string, ComputeLoss] => {
      const loss = sequenceClassificationLoss();
      const w = weightOf(config.task);
      return [config.module, w === 1 ? loss : (inputs) => loss(inputs).mul(w)];
    }),
  );
  return {
    stats: mergedStats(lm.stats, tasks),
    template: lm.template,
    trainData: (epoch) =>
      interleaved(
        [lm.trainData(epoch), ...tasks.map(({ data }) => data.train(epoch))],
        [undefined, ...tasks.map(({ config }) => config.module)],
        epochRandom(opts.seed ^ HEADS_SALT, epoch),
      ),
    evaluate: lm.evaluate || evaluations.some(Boolean) ? evaluate : undefined,
    computeLoss: lm.computeLoss,
    headLosses,
    tasks: records,
    async writeFiles(dir) {
      const files = await Promise.all(
        evaluations.map((e, k) =>
          e?.writeReport(dir, `classification_report_${tasks[k].config.task}.json`),
        ),
      );
      return files.filter((f): f is string => f !== undefined);
    },
    dispose() {
      lm.dispose();
      for (const e of evaluations) e?.dispose();
    },
  };
}

/** Salts the seed of the order in which the tasks' batches interleave. */
const HEADS_SALT = 0x68656164;

/** The batches of `plans` in one seeded order, each tagged with its plan's head. */
function interleaved(
  plans: readonly BatchPlan[],
  heads: readonly (string | undefined)[],
  random: () => number,
): BatchPlan {
  const order = shuffle(
    plans.flatMap((plan, k) => Array.from({ length: plan.length }, (_, i) => [k, i] as const)),
    random,
  );
  const batch = (index: number): TrainBatch => {
    const at = order[index];
    if (at === undefined)
      throw new RangeError(`batch ${index} is out of range: this pass has ${order.length}`);
    const [k, i] = at;
    const head = heads[k];
    const b = plans[k].batch(i);
    return head === undefined ? b : { ...b, head };
  };
  return {
    length: order.length,
    batch,
    *[Symbol.iterator]() {
      for (let i = 0; i < order.length; i++) yield batch(i);
    },
  };
}

/** The LM tasks' data stats with each head task's added (its sources named by its task). */
function mergedStats(lm: DataStats, tasks: readonly HeadTask[]): DataStats {
  const all = [lm, ...tasks.map(({ data }) => data.stats)];
  const sum = (key: keyof DataStats) => all.reduce((n, s) => n + (s[key] as number), 0);
  return {
    examples: sum('examples'),
    evalExamples: sum('evalExamples'),
    skipped: sum('skipped'),
    truncated: sum('truncated'),
    duplicates: sum('duplicates'),
    unsupervised: sum('unsupervised'),
    supervisedTokens: sum('supervisedTokens'),
    examplesPerEpoch: sum('examplesPerEpoch'),
    fingerprint: sha256OfJson(all.map((s) => s.fingerprint)),
    sources: [
      ...lm.sources,
      ...tasks.flatMap(({ config, data }) =>
        data.stats.sources.map((s) => ({ ...s, task: config.task })),
      ),
    ],
    inputs: all.flatMap((s) => s.inputs),
    warnings: all.flatMap((s) => s.warnings),
  };
}
