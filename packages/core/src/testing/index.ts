export {
  type ConformanceOptions,
  compareOnCase,
  describeBackendConformance,
} from './conformance/backend-conformance.js';
export {
  CHECKPOINT_LLAMA,
  causalLmGradGraph,
  runCausalLmGrads,
} from './conformance/checkpointed-grads.js';
export { fillInput } from './conformance/fill.js';
export { type CaseInput, type Fill, OP_CASES, type OpCase } from './conformance/op-cases.js';
export { F32_TOLERANCE, firstMismatch, type Tolerance } from './conformance/tolerances.js';
export { expectFinite, FUZZ_CASE_MS, FUZZ_SEED, fuzzOutcome } from './fuzz-outcome.js';
export { describePeftMethod, type PeftMethodSuiteOptions } from './peft-method-suite.js';
export { recordCompiles } from './record-compiles.js';
export {
  initTinyTransformer,
  ropeTables,
  TINY_TRANSFORMER,
  type TinyTransformerConfig,
  tinyTransformerShapes,
  traceTinyTransformer,
} from './tiny-transformer.js';
