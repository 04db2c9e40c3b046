import { ops } from '@tunekit/core';
import { type ComputeLoss, IGNORE_INDEX } from './causal-lm-loss.js';

/**
 * transformers' `*ForSequenceClassification` loss (single_label_classification): the
 * cross-entropy of the class logits pooled at each example's last token against its label. The
 * model's logits are [B, T, num_labels] at every position and the labels -100 except at that
 * token, so the sum over [B*T] positions (unshifted) is the sum over examples; divided by
 * num_items_in_batch (the window's examples) it is their mean.
 */
export function sequenceClassificationLoss(): ComputeLoss {
  return ({ logits, labels, numItemsInBatch }) => {
    const [b, t, c] = logits.shape;
    return ops
      .crossEntropy(logits.reshape([b * t, c]), labels.reshape([b * t]), {
        ignore_index: IGNORE_INDEX,
        reduction: 'sum',
      })
      .div(numItemsInBatch);
  };
}
