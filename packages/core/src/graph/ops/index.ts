import type { OpTable } from '../op-def.js';
import { BINARY_OPS } from './binary.js';
import { FUSED_OPS } from './fused/index.js';
import { INDEXING_OPS } from './indexing.js';
import { LEAF_OPS } from './leaves.js';
import { MATMUL_OPS } from './matmul.js';
import { MOVEMENT_OPS } from './movement.js';
import { REDUCE_OPS } from './reduce.js';
import { UNARY_OPS } from './unary.js';

/** The closed op set: a missing or extra op is a compile error. */
export const OPS: OpTable = {
  ...LEAF_OPS,
  ...UNARY_OPS,
  ...BINARY_OPS,
  ...REDUCE_OPS,
  ...MOVEMENT_OPS,
  ...MATMUL_OPS,
  ...INDEXING_OPS,
  ...FUSED_OPS,
};

export { pcgHash, uniformAt } from './counter-rng.js';
export { erf } from './erf.js';
export { sumToShape } from './helpers.js';
