import { ops, type Tensor } from '@tunekit/core';
import { IGNORE_INDEX, shiftForNextToken } from '../train/index.js';

/** Per-row sums over the completion: log-probs of its tokens and how many there are. */
export interface CompletionLogps {
  /** f32 [R]: sum over t of log p(labels[t + 1] | logits[t]) where that label is not -100. */
  readonly logps: Tensor;
  /** f32 [R]: the completion tokens of each row. */
  readonly tokens: Tensor;
}

/**
 * TRL's `concatenated_forward`: each row's log-probability of its completion, the log-softmax of
 * the logits at t picked at the label at t + 1, summed where the label is supervised. The
 * cross-entropy op (reduction 'none') gives -log p per position and 0 where ignored.
 */
export function completionLogps(logits: Tensor, labels: Tensor): CompletionLogps {
  const [rows, seq] = labels.shape;
  const shifted = shiftForNextToken(logits, labels);
  const nll = ops.crossEntropy(shifted.logits, shifted.labels, {
    ignore_index: IGNORE_INDEX,
    reduction: 'none',
  });
  const supervised = shifted.labels.equal(IGNORE_INDEX).cast('f32').neg().add(1);
  return {
    logps: nll
      .reshape([rows, seq - 1])
      .sum(-1)
      .neg(),
    tokens: supervised.reshape([rows, seq - 1]).sum(-1),
  };
}
