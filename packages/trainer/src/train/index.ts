export * from './callbacks/index.js';
export {
  type ComputeLoss,
  type ComputeLossWithOutputs,
  causalLmLoss,
  IGNORE_INDEX,
  LOSS_CHUNKING,
  type LossChunking,
  type LossInputs,
  type LossWithOutputs,
  lossAndOutputs,
  rdropLoss,
  shiftForNextToken,
} from './causal-lm-loss.js';
export {
  OPTIMIZER_FILE,
  RNG_STATE_FILE,
  SCHEDULER_FILE,
  TRAINER_STATE_FILE,
  TRAINING_ARGS_FILE,
} from './checkpoint-files.js';
export { CHECKPOINT_PREFIX, type CheckpointEntry, listCheckpoints } from './checkpoint-folder.js';
export { CHECKPOINT_MANIFEST_FILE } from './checkpoint-manifest.js';
export type { DataCursor, EpochPlans } from './data-windows.js';
export type { EvaluateFn, TrainerEvaluation } from './evaluate-fn.js';
export { infoNceLoss } from './info-nce-loss.js';
export { type LrSchedule, lrFactor, warmupStepsFor } from './lr-schedule.js';
export {
  MIXOUT_SEED_INPUT,
  type MixoutPlan,
  type MixoutTarget,
  mixout,
  mixoutTargetName,
  planMixout,
} from './mixout.js';
export { inputEmbeddingPath, NEFTUNE_SEED_INPUT } from './neftune.js';
export { lossItems } from './optimizer-step.js';
export { type ClaimOptions, claimOutputDir, type OutputDirClaim } from './output-dir-claim.js';
export { LOCK_FILE } from './output-dir-lock.js';
export { decayParameterNames, layerDepth, planParamGroups } from './param-groups.js';
export type { OutputLogs } from './progress.js';
export { sequenceClassificationLoss } from './sequence-classification-loss.js';
export { taskWeightedLoss } from './task-weighted-loss.js';
export { NUM_ITEMS_INPUT } from './trace-loss.js';
export { Trainer, type TrainerOptions, type TrainOutput, withoutAdapter } from './trainer.js';
export {
  LR_SCHEDULER_TYPES,
  type LrSchedulerType,
  parseTrainingArguments,
  pickTrainingArguments,
  type TrainingArguments,
  type TrainingArgumentsInput,
  trainingArgumentsSchema,
} from './training-arguments.js';
export { createTrainingRun, TRAINER_TOKENS, type TrainingRunScope } from './training-run.js';
