import { ops } from '@tunekit/core';
import { LABEL_WEIGHTS_INPUT } from '../data/index.js';
import { type ComputeLoss, IGNORE_INDEX, shiftForNextToken } from './causal-lm-loss.js';

/**
 * The causal-LM cross-entropy with a weight per token (`task_loss_weights`: each token weighs what
 * its example's task does), read from the batch's `label_weights` input [B, T]:
 *
 *   loss = sum_t w_t · ce_t / num_items_in_batch
 *
 * over the supervised next-token predictions t of the micro-batch, ce_t as `causalLmLoss` defines
 * it (label smoothing included), and num_items_in_batch the window's supervised tokens counted
 * unweighted, as transformers counts them. With every weight 1 it equals `causalLmLoss`; a weight
 * below 1 shrinks a task's share of the gradient without changing the others' scale. The logits
 * are never chunked here (per-token weights need the per-token losses).
 */
export function taskWeightedLoss(labelSmoothing = 0): ComputeLoss {
  return ({ logits, labels, numItemsInBatch }) => {
    const [b, t] = labels.shape;
    const weights = labels.builder.input(LABEL_WEIGHTS_INPUT, [b, t], 'f32');
    const shifted = shiftForNextToken(logits, labels);
    const perToken = ops.crossEntropy(shifted.logits, shifted.labels, {
      ignore_index: IGNORE_INDEX,
      label_smoothing: labelSmoothing,
      reduction: 'none',
    });
    const w = weights.narrow(1, 1, t).reshape([b * (t - 1)]);
    return perToken.mul(w).sum().div(numItemsInBatch);
  };
}
