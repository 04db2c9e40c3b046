export { type ChunkedCrossEntropyOptions, chunkedCrossEntropy } from './chunked-cross-entropy.js';
export { clipGradNorm, totalNorm } from './clip-grad-norm.js';
export {
  FLAT_CHUNK_ELEMENTS,
  type FlatChunk,
  type FlatMember,
  planFlatChunks,
} from './flat-chunks.js';
export { type AdamWOptions, adamw } from './optim/adamw.js';
export {
  type AnyOptimizer,
  type HostOptimizer,
  type HostOptimizerSlot,
  isHostOptimizer,
} from './optim/host-optimizer.js';
export type { Optimizer, OptimizerSlot } from './optim/optimizer.js';
export {
  ADAMW_TORCH,
  type OptimizerArgs,
  type OptimizerFactory,
} from './optim/optimizer-factory.js';
export { KNOWN_OPTIMIZER_PLUGINS, resolveOptimizer } from './optim/resolve-optimizer.js';
export { type SgdOptions, sgd } from './optim/sgd.js';
export {
  buildTrainStep,
  GRAD_ACCUM_STATE,
  gradOutput,
  groupIndex,
  type ParamGroup,
  type TrainStep,
  type TrainStepOptions,
} from './step-graph.js';
export { type RunnerResume, type StepResult, TrainStepRunner } from './step-runner.js';
