export {
  type AnswerRow,
  answerRowTensors,
  rowReference,
  supervisedTokens,
} from './answer-rows.js';
export { type CompletionLogps, completionLogps } from './completion-logps.js';
export {
  DPO_LOSS_TYPES,
  type DpoLossType,
  type DpoSettings,
  dpoFields,
  dpoSettings,
  KTO_LOSS_TYPES,
  type KtoLossType,
  refineDpo,
  withDefaultLossType,
} from './dpo-config.js';
export {
  DPO_METRICS,
  type DpoTerms,
  dpoLoss,
  dpoPairLosses,
  logSigmoid,
  type PairLogps,
  REF_LOGPS_INPUT,
} from './dpo-loss.js';
export { loadPreferenceData, type PreferenceData } from './load-preference-data.js';
export { collatePairs, type PairPlanOptions, pairPlan } from './pair-batches.js';
export { lossForward, PairForward, type TraceOutputs } from './pair-forward.js';
export { PreferenceEvaluator } from './preference-evaluator.js';
export { referenceLogps } from './reference-logps.js';
export type { ReferencedData } from './referenced-data.js';
export {
  type Completion,
  fitAnswers,
  type PairFitOptions,
  type PromptRecord,
  type TokenizedPair,
  tokenizeAnswer,
  tokenizePair,
} from './tokenize-pair.js';
