export { type CheckpointSegment, GraphBuilder } from './builder.js';
export { DTYPES, type DType, isFloat, isInteger, itemsize } from './dtype.js';
export { ops } from './functional.js';
export type { Graph, GraphInput, GraphOutput, GraphUpdate, Node } from './node.js';
export type {
  Cotangents,
  FusedOpDef,
  OpDef,
  OpTable,
  RefArray,
  RefContext,
  RefTensor,
  TypeInfo,
  VjpArgs,
} from './op-def.js';
export type {
  AttentionAttrs,
  FusedOpAttrs,
  FusedOpName,
  InputRole,
  OpAttrs,
  OpName,
  PrimitiveOpAttrs,
  PrimitiveOpName,
  Reduction,
} from './op-name.js';
export {
  erf,
  FUSED_OP_NAMES,
  OPS,
  PRIMITIVE_OP_NAMES,
  pcgHash,
  sumToShape,
  uniformAt,
} from './ops/index.js';
export { decompose, fuseNarrowMatmuls, NARROW_MATMUL_WIDTH } from './passes/index.js';
export {
  broadcastShapes,
  formatShape,
  normAxis,
  type Shape,
  sameShape,
  sizeOf,
  stridesOf,
} from './shape.js';
export { Tensor, type TensorLike } from './tensor.js';
