export { LOSS_POLICIES, type LossPolicy, supervisedRanges, type TextRange } from './loss-policy.js';
export { type PaddedBatch, type PadOptions, padBatch } from './pad-batch.js';
export { SupervisionGuard, type SupervisionSummary } from './supervision-guard.js';
export {
  IGNORE_INDEX,
  type TemplateTokenizer,
  type TokenizedExample,
  type TokenizeOptions,
  tokenizeExample,
} from './tokenize-example.js';
