import { type CausalLMOutputs, chunkedCrossEntropy, ops, type Tensor } from '@tunekit/core';

/** What a training loss is computed from, inside the step graph. */
export interface LossInputs {
  /** f32 [B, T, V]; with R-Drop, [2B, T, V]: the batch twice, with different dropout masks. */
  readonly logits: Tensor;
  /** The LM head and its input, when the model gives them: a loss may project chunks of rows. */
  readonly head?: CausalLMOutputs['head'];
  /** i32 [B, T], unshifted, -100 where no loss. */
  readonly labels: Tensor;
  /**
   * f32 scalar: the supervised tokens of the whole accumulation window (transformers'
   * `num_items_in_batch`), so that summed micro-batch losses give the window's per-token mean.
   */
  readonly numItemsInBatch: Tensor;
  /**
   * The reference model's logits [B, T, V] for the same rows: the base model with the adapter
   * disabled, traced into the same step graph when first asked for (no second copy of the weights,
   * no gradient). Absent when the model has no adapter to disable.
   */
  readonly referenceLogits?: () => Tensor;
}

/**
 * A loss that also brings values of its forward back from the device: f32 scalars, each a sum over
 * the loss's items (the pairs of a preference batch). The trainer logs each under its name as the
 * sum over the logging window divided by the window's items.
 */
export interface LossWithOutputs {
  readonly loss: Tensor;
  readonly outputs: Readonly<Record<string, Tensor>>;
}

/** A loss as transformers' `compute_loss_func`: a scalar built from the step's logits and labels. */
export type ComputeLoss = (inputs: LossInputs) => Tensor;

/** A loss that also brings values of its forward back to log (DPO's rewards and log-probs). */
export type ComputeLossWithOutputs = (inputs: LossInputs) => LossWithOutputs;

/** The scalar loss and the outputs (none for a plain tensor) of what a loss returned. */
export function lossAndOutputs(result: Tensor | LossWithOutputs): LossWithOutputs {
  return 'outputs' in result ? result : { loss: result, outputs: {} };
}

export const IGNORE_INDEX = -100;

/**
 * When the model gives its head, logits of more than `above` elements (256 MB in f32) are computed
 * `rows` rows at a time, each chunk recomputed in the backward (`chunkedCrossEntropy`); below it
 * the whole [N, vocab] costs less than the recomputation. [1024, 49152] is 200 MB (SmolLM2).
 */
export interface LossChunking {
  readonly above: number;
  readonly rows: number;
}
export const LOSS_CHUNKING: LossChunking = { above: 1 << 26, rows: 1024 };

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
 * Large logits are computed from the model's head in chunks (`LossChunking`).
 */
export function causalLmLoss(labelSmoothing = 0, chunking = LOSS_CHUNKING): ComputeLoss {
  const ce = {
    ignore_index: IGNORE_INDEX,
    label_smoothing: labelSmoothing,
    reduction: 'sum',
  } as const;
  return ({ logits, head, labels, numItemsInBatch }) => {
    const shifted = shiftForNextToken(logits, labels);
    const [rows, vocab] = shifted.logits.shape;
    if (head && rows * vocab > chunking.above) {
      const [b, t, h] = head.hidden.shape;
      const hidden = head.hidden.narrow(1, 0, t - 1).reshape([b * (t - 1), h]);
      const sum = chunkedCrossEntropy(hidden, head.project, shifted.labels, {
        ...ce,
        chunk_size: chunking.rows,
      });
      return sum.div(numItemsInBatch);
    }
    return ops.crossEntropy(shifted.logits, shifted.labels, ce).div(numItemsInBatch);
  };
}

/**
 * R-Drop (Liang et al. 2021) on logits of the batch run twice, [2B, T, V]: the mean of both passes'
 * `base` loss plus alpha * (KL(p1 || p2) + KL(p2 || p1)) / 2, each KL summed over the supervised
 * positions and divided by num_items_in_batch (the paper's code sums; per token keeps the scale of
 * the cross-entropy).
 */
export function rdropLoss(base: ComputeLoss | ComputeLossWithOutputs, alpha: number): ComputeLoss {
  const ceOf = (inputs: LossInputs) => lossAndOutputs(base(inputs)).loss;
  return ({ logits, labels, numItemsInBatch }) => {
    const rows = labels.dim(0);
    const halves = [logits.narrow(0, 0, rows), logits.narrow(0, rows, 2 * rows)];
    const ce = ceOf({ logits: halves[0], labels, numItemsInBatch })
      .add(ceOf({ logits: halves[1], labels, numItemsInBatch }))
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
