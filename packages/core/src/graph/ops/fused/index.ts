import type { FusedOpDef } from '../../op-def.js';
import type { FusedOpName } from '../../op-name.js';
import { crossEntropy } from './cross-entropy.js';
import { crossEntropyBackward } from './cross-entropy-backward.js';
import { dequantize4bit } from './dequantize-4bit.js';
import { dropout } from './dropout.js';
import { flashAttention } from './flash-attention.js';
import { flashAttentionBackward } from './flash-attention-backward.js';
import { layerNorm } from './layer-norm.js';
import { logSoftmax } from './log-softmax.js';
import { optimizationBarrier } from './optimization-barrier.js';
import { rmsNorm } from './rms-norm.js';
import { rope } from './rope.js';
import { sigmoid } from './sigmoid.js';
import { silu } from './silu.js';
import { softmax } from './softmax.js';
import { stopGradient } from './stop-gradient.js';

/** Ops with their own kernels; each also gives its decomposition, which a backend may lower instead. */
export const FUSED_OPS = {
  softmax,
  sigmoid,
  silu,
  log_softmax: logSoftmax,
  rms_norm: rmsNorm,
  layer_norm: layerNorm,
  rope,
  flash_attention: flashAttention,
  flash_attention_backward: flashAttentionBackward,
  cross_entropy: crossEntropy,
  cross_entropy_backward: crossEntropyBackward,
  dropout,
  stop_gradient: stopGradient,
  optimization_barrier: optimizationBarrier,
  dequantize_4bit: dequantize4bit,
} satisfies { [K in FusedOpName]: FusedOpDef<K> };
