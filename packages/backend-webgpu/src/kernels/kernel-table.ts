import type { FusedOpName, Node, OpName, PrimitiveOpName } from '@tunekit/core';
import { ELEMENTWISE } from './elementwise.js';
import { crossEntropy, keepCrossEntropy } from './fused/cross-entropy.js';
import { crossEntropyBackward } from './fused/cross-entropy-backward.js';
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
  cross_entropy: crossEntropy,
  cross_entropy_backward: crossEntropyBackward,
};

/** Fused ops whose kernel takes some attributes only; core decomposes the other nodes. */
const PARTIAL: { readonly [K in FusedOpName]?: (node: Node<K>) => boolean } = {
  cross_entropy: keepCrossEntropy,
};

/** Whether `node` is lowered by a kernel of its own (else core's decompose pass rewrites it). */
export function hasKernel(op: OpName, node: Node): boolean {
  const partial = PARTIAL[op as FusedOpName] as ((node: Node) => boolean) | undefined;
  return KERNELS[op] !== undefined && (partial?.(node) ?? true);
}
