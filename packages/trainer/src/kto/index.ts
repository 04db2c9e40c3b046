export {
  type KtoSettings,
  ktoFields,
  ktoSettings,
  weightAdvice,
} from './kto-config.js';
export { KtoEvaluator } from './kto-evaluator.js';
export {
  KTO_LABEL_INPUT,
  KTO_SUMS,
  type KtoLogps,
  type KtoTerms,
  ktoLogs,
  ktoLoss,
  ktoTerms,
} from './kto-loss.js';
export { loadUnpairedData, type UnpairedData } from './load-unpaired-data.js';
export {
  collateUnpaired,
  klPartners,
  type UnpairedExample,
  unpairedPlan,
} from './unpaired-batches.js';
