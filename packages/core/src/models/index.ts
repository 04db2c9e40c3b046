export { type BuiltCausalLM, buildCausalLM, loadCheckpoint } from './build-causal-lm.js';
export type {
  CausalLM,
  CausalLMInputs,
  CausalLMOutputs,
  CausalLMShape,
  KVCacheInputs,
} from './causal-lm.js';
export { inputPositionsOf, prefixLengthOf } from './causal-lm.js';
export { type DecoderBody, LM_HEAD } from './causal-lm-head.js';
export {
  checkpointStorage,
  type StoresCheckpointTensors,
  storesCheckpointTensors,
} from './checkpoint-storage.js';
export { EmbeddingModel, LAST_HIDDEN_STATE, poolEmbeddings } from './embedding-model.js';
export { builtinModelFamilies } from './families.js';
export * from './gpt2/index.js';
export * from './llama/index.js';
export { type LoadCausalLMOptions, loadCausalLM } from './load.js';
export { type LoadedEmbeddingModel, loadEmbeddingModel } from './load-embedding-model.js';
export {
  type LoadedSequenceClassifier,
  type LoadSequenceClassifierOptions,
  loadSequenceClassifier,
} from './load-sequence-classifier.js';
export * from './mistral/index.js';
export type { HfConfig, ModelFamily, WeightDims } from './model-family.js';
export {
  type ClassificationHeadSpec,
  MultiHeadModel,
  TASK_HEADS_FILE,
  takeExtraHeads,
} from './multi-head-model.js';
export { modelFamiliesPlugin } from './plugin.js';
export {
  isPrefixKeyValues,
  PREFIX_KEY_VALUES,
  type PrefixKeyValues,
} from './prefix-key-values.js';
export {
  type BitsAndBytesConfig,
  bitsAndBytesFields,
  type ModelQuantizer,
} from './quantization-config.js';
export * from './qwen2/index.js';
export { type FamilySource, resolveFamily } from './resolve-family.js';
export { defaultInvFreq, llama3InvFreq, ropeInvFreq } from './rope-inv-freq.js';
export {
  type RopeParameters,
  type RopeScaling,
  ropeParametersOf,
  ropeParametersSchema,
} from './rope-parameters.js';
export { hiddenSizeOf, SCORE_HEAD, scoreHead } from './score-head.js';
export { SequenceClassifier } from './sequence-classifier.js';
export { headOf, type ModelHead, type TaskModel, type TrunkShape } from './task-model.js';
export { type TracedLogits, traceLogits } from './trace-logits.js';
export {
  isVirtualTokens,
  VIRTUAL_TOKENS,
  type VirtualTokens,
} from './virtual-tokens.js';
