import { type Tensor, UserError } from '@tunekit/core';
import type { ComputeLossWithOutputs } from '../train/index.js';
import { completionLogps } from './completion-logps.js';
import type { DpoSettings } from './dpo-config.js';

/** The f32 [2P] input of precomputed reference log-probs (summed per row), chosen rows first. */
export const REF_LOGPS_INPUT = 'ref_logps';

/** Log-probs of the chosen and the rejected answers, f32 [P] each. */
export interface PairLogps {
  readonly chosen: Tensor;
  readonly rejected: Tensor;
}

/** Per pair: the loss and the implicit rewards beta * (log pi - log pi_ref), f32 [P] each. */
export interface DpoTerms {
  readonly losses: Tensor;
  readonly chosenRewards: Tensor;
  readonly rejectedRewards: Tensor;
}

export type DpoLossSettings = Pick<
  DpoSettings,
  'beta' | 'loss_type' | 'label_smoothing' | 'reference_free'
>;

/** log sigmoid(x) = min(x, 0) - log(1 + exp(-|x|)), stable for any x. */
export function logSigmoid(x: Tensor): Tensor {
  return x.minimum(0).sub(x.abs().neg().exp().add(1).log());
}

/**
 * TRL's `DPOTrainer.dpo_loss` (TRL 0.28) for one batch of pairs. With logits = (log pi(y_w) -
 * log pi(y_l)) - (log ref(y_w) - log ref(y_l)) (the reference term 0 when reference_free), beta
 * and label smoothing eps:
 * - sigmoid: -log s(beta logits) (1 - eps) - log s(-beta logits) eps  (DPO; cDPO with eps > 0)
 * - robust:  (-log s(beta logits) (1 - eps) + log s(-beta logits) eps) / (1 - 2 eps)
 * - hinge:   relu(1 - beta logits)  (SLiC)
 * - ipo:     (logits - 1 / (2 beta))^2  (IPO eq. 17; the caller passes per-token mean log-probs)
 * The rewards always compare with the reference given.
 */
export function dpoPairLosses(
  policy: PairLogps,
  reference: PairLogps,
  s: DpoLossSettings,
): DpoTerms {
  const logratios = policy.chosen.sub(policy.rejected);
  const logits = s.reference_free
    ? logratios
    : logratios.sub(reference.chosen.sub(reference.rejected));
  const { beta, label_smoothing: eps } = s;
  const scaled = logits.mul(beta);
  const losses = {
    sigmoid: () =>
      logSigmoid(scaled)
        .mul(-(1 - eps))
        .sub(logSigmoid(scaled.neg()).mul(eps)),
    robust: () =>
      logSigmoid(scaled)
        .mul(-(1 - eps))
        .add(logSigmoid(scaled.neg()).mul(eps))
        .div(1 - 2 * eps),
    hinge: () => scaled.neg().add(1).relu(),
    ipo: () => logits.sub(1 / (2 * beta)).square(),
  } satisfies Record<DpoSettings['loss_type'], () => Tensor>;
  return {
    losses: losses[s.loss_type](),
    chosenRewards: policy.chosen.sub(reference.chosen).mul(beta),
    rejectedRewards: policy.rejected.sub(reference.rejected).mul(beta),
  };
}

/** The metrics TRL's DPOTrainer logs, each a sum over the batch's pairs (the trainer divides). */
export const DPO_METRICS = [
  'rewards/chosen',
  'rewards/rejected',
  'rewards/accuracies',
  'rewards/margins',
  'logps/chosen',
  'logps/rejected',
] as const;

/**
 * DPO as a ComputeLoss over a preference batch of 2P rows (the P chosen answers, then the P
 * rejected ones, each after its prompt): the mean of `dpoPairLosses` over the window's pairs
 * (num_items_in_batch counts pairs), with TRL's metrics as outputs. The reference log-probs come
 * from the reference logits (the adapter disabled, in the same graph), from the `ref_logps` input
 * (precompute_ref_log_probs), or are 0 (reference_free). Empty rows (a short last batch) are pairs
 * without answer tokens and count nowhere.
 */
export function dpoLoss(s: DpoSettings): ComputeLossWithOutputs {
  return ({ logits, labels, numItemsInBatch, referenceLogits }) => {
    const rows = labels.dim(0);
    const pairs = rows / 2;
    const policy = completionLogps(logits, labels);
    let reference: Tensor;
    if (s.reference_free) reference = labels.builder.scalar(0, 'f32').broadcastTo([rows]);
    else if (s.precompute_ref_log_probs)
      reference = labels.builder.input(REF_LOGPS_INPUT, [rows], 'f32');
    else if (referenceLogits) reference = completionLogps(referenceLogits(), labels).logps;
    else
      throw new UserError(
        'DPO needs a reference model: train an adapter (a peft: section; its base is the reference), or set precompute_ref_log_probs: true (the initial weights are the reference) or reference_free: true',
      );
    // IPO compares per-token means (TRL divides the log-probs by the answer's tokens)
    const tokens = policy.tokens.maximum(1);
    const perRow = (x: Tensor) => (s.loss_type === 'ipo' ? x.div(tokens) : x);
    const halves = (x: Tensor): PairLogps => ({
      chosen: x.narrow(0, 0, pairs),
      rejected: x.narrow(0, pairs, rows),
    });
    const own = halves(perRow(policy.logps));
    const terms = dpoPairLosses(own, halves(perRow(reference)), s);
    const real = policy.tokens.narrow(0, 0, pairs).greater(0).cast('f32');
    const sum = (x: Tensor) => x.mul(real).sum();
    const outputs: Record<(typeof DPO_METRICS)[number], Tensor> = {
      'rewards/chosen': sum(terms.chosenRewards),
      'rewards/rejected': sum(terms.rejectedRewards),
      'rewards/accuracies': sum(terms.chosenRewards.greater(terms.rejectedRewards).cast('f32')),
      'rewards/margins': sum(terms.chosenRewards.sub(terms.rejectedRewards)),
      'logps/chosen': sum(own.chosen),
      'logps/rejected': sum(own.rejected),
    };
    return { loss: sum(terms.losses).div(numItemsInBatch), outputs };
  };
}
