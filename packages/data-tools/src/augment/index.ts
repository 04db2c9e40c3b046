export {
  AUGMENT_METHODS,
  type AugmentMethod,
  type AugmentOptions,
  type AugmentResult,
  augmentRecords,
} from './augment.js';
export { counterfactualRequest, paraphraseRequest, replyText } from './augment-prompts.js';
export {
  type AugmentedRecord,
  type AugmentOperation,
  editedMessages,
  sourceId,
  sourceRecord,
} from './augmented-record.js';
export {
  balanceByDifficulty,
  type Difficulty,
  failureDifficulty,
  lengthDifficulty,
} from './difficulty.js';
export { DEFAULT_WORD_SWAPS, type RuleEdit, ruleEdits, swapWords } from './rule-edits.js';
export {
  DEFAULT_VARIANT_FILTERS,
  type VariantFilters,
  variantRejection,
} from './variant-filters.js';
