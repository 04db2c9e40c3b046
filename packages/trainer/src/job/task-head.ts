import {
  type Backend,
  type FamilySource,
  loadEmbeddingModel,
  loadSequenceClassifier,
  type NonFiniteOptions,
  SCORE_HEAD,
  type TaskModel,
  type TaskType,
  type Tokenizer,
} from '@tunekit/core';
import {
  type LoadSftDataDeps,
  loadClassificationData,
  loadEmbeddingData,
  type SftData,
} from '../data/index.js';
import {
  type ComputeLoss,
  type EvaluateFn,
  infoNceLoss,
  type ReportCallback,
  sequenceClassificationLoss,
} from '../train/index.js';
import { ClassifierEvaluation, taskTypeOf } from './classification-job.js';
import { EmbeddingEvaluation } from './embedding-job.js';
import type { TrainConfig } from './train-config.js';
import type { TrainingData } from './training-data.js';

/** How a task head's job evaluates: the Trainer's EvaluateFn, and the files it adds to the output. */
export interface TaskEvaluation {
  readonly evaluate: EvaluateFn;
  /** Writes the task's own report files into `dir`; returns their names. */
  writeFiles(dir: string): Promise<string[]>;
  dispose(): void;
}

/**
 * What a job of a task type other than CAUSAL_LM changes in `trainFromConfig` (PEFT's task type,
 * `peft.task_type`): its data, the model class it loads, the head LoRA's all-linear leaves out,
 * its loss, its evaluation and what the training record adds.
 */
export interface TaskHead {
  readonly taskType: TaskType;
  readonly data: SftData;
  loadModel(
    folder: string,
    opts: NonFiniteOptions & { readonly families: FamilySource },
  ): Promise<TaskModel>;
  /** The output head 'all-linear' leaves out (PEFT guards modules_to_save from targeting). */
  readonly outputHead?: string;
  readonly computeLoss: ComputeLoss;
  /** The evaluation on the eval split; undefined without eval data. */
  evaluation(
    model: TaskModel,
    backend: Backend,
    opts: { readonly tokenizer: Tokenizer; readonly report?: ReportCallback },
  ): TaskEvaluation | undefined;
  /** Fields the training record adds (the task type, a classifier's labels). */
  readonly record: Readonly<Record<string, unknown>>;
}

/** The task head of `config`, its data loaded; undefined for a causal LM (SFT). */
export async function openTaskHead(
  config: TrainConfig,
  deps: LoadSftDataDeps,
): Promise<TaskHead | undefined> {
  const taskType = taskTypeOf(config);
  if (taskType === 'SEQ_CLS') {
    // a classifier's head is sized by its labels, so its data loads first
    const data = await loadClassificationData(config, deps);
    return {
      taskType,
      data,
      loadModel: async (folder, opts) =>
        (
          await loadSequenceClassifier(folder, {
            ...opts,
            numLabels: data.labels.numLabels,
            seed: config.seed,
          })
        ).model,
      outputHead: SCORE_HEAD,
      computeLoss: sequenceClassificationLoss(),
      evaluation(model, backend, { report }) {
        if (!data.eval) return undefined;
        const evaluation = new ClassifierEvaluation(model, backend, data);
        evaluation.onConfusionMatrix = (html) => report?.setSection('Confusion matrix', html);
        return {
          evaluate: () => evaluation.evaluate(),
          writeFiles: async (dir) => {
            const file = await evaluation.writeReport(dir);
            return file ? [file] : [];
          },
          dispose: () => evaluation.dispose(),
        };
      },
      record: { task_type: taskType, ...data.labels.toConfig() },
    };
  }
  if (taskType === 'FEATURE_EXTRACTION') {
    const data = await loadEmbeddingData(config, config.pooling_mode, deps);
    return {
      taskType,
      data,
      loadModel: async (folder, opts) => (await loadEmbeddingModel(folder, opts)).model,
      computeLoss: infoNceLoss(config.temperature, data),
      evaluation(model, backend, { tokenizer }) {
        if (data.evalPairs.length === 0) return undefined;
        const evaluation = new EmbeddingEvaluation(model, backend, data, {
          batchSize: config.per_device_eval_batch_size,
          padTokenId: tokenizer.padTokenId ?? tokenizer.eosTokenId ?? 0,
          temperature: config.temperature,
        });
        return {
          evaluate: () => evaluation.evaluate(),
          writeFiles: async () => [],
          dispose: () => evaluation.dispose(),
        };
      },
      record: { task_type: taskType },
    };
  }
  return undefined;
}

/** A task head's data, loss and evaluation as the job trains on them. */
export function taskHeadTraining(
  head: TaskHead,
  evaluation: TaskEvaluation | undefined,
): TrainingData {
  return {
    stats: head.data.stats,
    template: head.data.template,
    trainData: (epoch) => head.data.train(epoch),
    evaluate: evaluation?.evaluate,
    computeLoss: head.computeLoss,
    dispose: () => evaluation?.dispose(),
  };
}
