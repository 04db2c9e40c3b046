import { ops, type Tensor } from '@tunekit/core';

/** What a training loss is computed from, inside the step graph. */
export interface LossInputs {
  /** f32 [B, T, V]; with R-Drop, [2B, T, V]: the batch twice, with different dropout masks. */
  readonly logits: Tensor;
  /** i32 [B, T], unshifted, -100 where no loss. */
  readonly labels: Tensor;
  /**
   * f32 scalar: the supervised tokens of the whole accumulation window (transformers'
   * `num_items_in_batch`), so that summed micro-batch losses give the window's per-token mean.
   */
  readonly numItemsInBatch: Tensor;
}

/** A loss as transformers' `compute_loss_func`: a scalar built from the step's logits and labels. */
export type ComputeLoss = (inputs: LossInputs) => Tensor;

export const IGNORE_INDEX = -100;

/** Logits at t predict the label at t + 1: logits[:, :-1] as [B*(T-1), V], labels[:, 1:] as [B*(T-1)]. */
export function shiftForNextToken(
  logits: Tensor,
  labels: Tensor,
): { logits: Tensor; labels: Tensor } {
  const [b, t, v] = logits.shape;
  return {
    logits: logits.narrow(1, 0, t - 1).reshape([b * (t - 1), v]),
    labels: labels.narrow(1, 1, t).reshape([b * (t - 1)]),
  };
}

/**
 * The causal-LM cross-entropy: sum over supervised next-token predictions of
 * (1 - f) * nll + f * mean_c(-log p_c) (label smoothing f), divided by num_items_in_batch.
 */
export function causalLmLoss(labelSmoothing = 0): ComputeLoss {
  return ({ logits, labels, numItemsInBatch }) => {
    const shifted = shiftForNextToken(logits, labels);
    const sum = ops.crossEntropy(shifted.logits, shifted.labels, {
      ignore_index: IGNORE_INDEX,
      label_smoothing: labelSmoothing,
      reduction: 'sum',
    });
    return sum.div(numItemsInBatch);
  };
}

/**
 * R-Drop (Liang et al. 2021) on logits of the batch run twice, [2B, T, V]: the mean of both passes'
 * `base` loss plus alpha * (KL(p1 || p2) + KL(p2 || p1)) / 2, each KL summed over the supervised
 * positions and divided by num_items_in_batch (the paper's code sums; per token keeps the scale of
 * the cross-entropy).
 */
export function rdropLoss(base: ComputeLoss, alpha: number): ComputeLoss {
  return ({ logits, labels, numItemsInBatch }) => {
    const rows = labels.dim(0);
    const halves = [logits.narrow(0, 0, rows), logits.narrow(0, rows, 2 * rows)];
    const ce = base({ logits: halves[0], labels, numItemsInBatch })
      .add(base({ logits: halves[1], labels, numItemsInBatch }))
      .mul(0.5);
    const [p, q] = halves.map((h) => shiftForNextToken(h, labels).logits.logSoftmax(-1));
    const supervised = shiftForNextToken(halves[0], labels)
      .labels.equal(IGNORE_INDEX)
      .cast('f32')
      .neg()
      .add(1);
    // KL(a || b) per position = sum_c exp(a_c) * (a_c - b_c), with a, b log-probabilities
    const kl = (a: Tensor, b: Tensor) => a.exp().mul(a.sub(b)).sum(-1);
    const symmetric = kl(p, q).add(kl(q, p)).mul(supervised).sum().mul(0.5);
    return ce.add(symmetric.div(numItemsInBatch).mul(alpha));
  };
}
