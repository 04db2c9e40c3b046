export { ACTIVATION_NAMES, ACTIVATIONS, type ActivationName } from './activations.js';
export {
  AttentionPlan,
  type AttentionPlanOptions,
  type LayerCache,
  type Masking,
  mergeHeads,
  splitHeads,
} from './attention.js';
export { Conv1D } from './conv1d.js';
export { Embedding } from './embedding.js';
export { Linear } from './linear.js';
export { Module, UnaryModule } from './module.js';
export { ModuleList } from './module-list.js';
export { LayerNorm, RMSNorm } from './norms.js';
export { Parameter } from './parameter.js';
export { type InvFreq, RotaryEmbedding } from './rotary-embedding.js';
export { segmentMask } from './segment-mask.js';
export { TraceContext, type TraceOptions } from './trace-context.js';
