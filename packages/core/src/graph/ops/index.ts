import type { OpDef, OpTable } from '../op-def.js';
import type { FusedOpName, PrimitiveOpName } from '../op-name.js';
import { BINARY_OPS } from './binary.js';
import { FUSED_OPS } from './fused/index.js';
import { INDEXING_OPS } from './indexing.js';
import { LEAF_OPS } from './leaves.js';
import { MATMUL_OPS } from './matmul.js';
import { MOVEMENT_OPS } from './movement.js';
import { REDUCE_OPS } from './reduce.js';
import { UNARY_OPS } from './unary.js';

const PRIMITIVE_OPS = {
  ...LEAF_OPS,
  ...UNARY_OPS,
  ...BINARY_OPS,
  ...REDUCE_OPS,
  ...MOVEMENT_OPS,
  ...MATMUL_OPS,
  ...INDEXING_OPS,
} satisfies { [K in PrimitiveOpName]: OpDef<K> };

/** The closed op set: a missing or extra op is a compile error. */
export const OPS: OpTable = { ...PRIMITIVE_OPS, ...FUSED_OPS };

/** The op groups (tinygrad's `GroupOp`): every backend lowers each primitive. */
export const PRIMITIVE_OP_NAMES = Object.freeze(Object.keys(PRIMITIVE_OPS) as PrimitiveOpName[]);
/** Fused ops: a backend lowers them with kernels of its own or lets `decompose` expand them. */
export const FUSED_OP_NAMES = Object.freeze(Object.keys(FUSED_OPS) as FusedOpName[]);

export { pcgHash, uniformAt } from './counter-rng.js';
export { erf } from './erf.js';
export { sumToShape } from './helpers.js';
