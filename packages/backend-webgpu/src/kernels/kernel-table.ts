import type { FusedOpName, PrimitiveOpName } from '@tunekit/core';
import { ELEMENTWISE } from './elementwise.js';
import { flashAttention } from './fused/flash-attention.js';
import { flashAttentionBackward } from './fused/flash-attention-backward.js';
import { rmsNorm } from './fused/rms-norm.js';
import { rope } from './fused/rope.js';
import { logSoftmax, softmax } from './fused/softmax.js';
import { INDEXING } from './indexing.js';
import type { Lowering } from './kernel.js';
import { matmul } from './matmul.js';
import { MOVEMENT } from './movement.js';
import { REDUCE } from './reduce.js';

/** A graph input: bound to the buffer fed to the run, no kernel. */
export const FED = 'fed';
/** Same elements in the same order (reshape): the input's buffer, no kernel. */
export const ALIAS = 'alias';

type Entry<K extends PrimitiveOpName | FusedOpName> = Lowering<K> | typeof FED | typeof ALIAS;

/**
 * The WGSL kernel map: every primitive (a missing one is a compile error) and the fused ops with
 * kernels of their own; other fused ops reach the compiler decomposed (core's decompose pass).
 */
export const KERNELS: { readonly [K in PrimitiveOpName]: Entry<K> } & {
  readonly [K in FusedOpName]?: Entry<K>;
} = {
  input: FED,
  reshape: ALIAS,
  ...ELEMENTWISE,
  ...MOVEMENT,
  ...REDUCE,
  matmul,
  ...INDEXING,
  softmax,
  log_softmax: logSoftmax,
  rms_norm: rmsNorm,
  rope,
  flash_attention: flashAttention,
  flash_attention_backward: flashAttentionBackward,
};
