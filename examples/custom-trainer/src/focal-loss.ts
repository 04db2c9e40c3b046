import { ops } from '@tunekit/core';
import { type ComputeLoss, IGNORE_INDEX, shiftForNextToken } from '@tunekit/trainer';

/**
 * Focal loss (Lin et al. 2017, "Focal Loss for Dense Object Detection") per supervised token:
 * (1 - p)^gamma * -log p, with p the probability of the label; gamma 0 is the cross-entropy. Tokens
 * the model already predicts well weigh less, so training dwells on the hard ones. Summed and
 * divided by num_items_in_batch, as the stock loss is, so gradient accumulation stays exact.
 */
export function focalLoss(gamma: number): ComputeLoss {
  return ({ logits, labels, numItemsInBatch }) => {
    const shifted = shiftForNextToken(logits, labels);
    const nll = ops.crossEntropy(shifted.logits, shifted.labels, {
      ignore_index: IGNORE_INDEX,
      reduction: 'none',
    });
    // p = exp(-nll); an ignored position has nll 0, so it adds 0
    const weight = nll.neg().exp().neg().add(1).pow(gamma);
    return weight.mul(nll).sum().div(numItemsInBatch);
  };
}
