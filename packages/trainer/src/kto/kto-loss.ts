import { ops, type Tensor, UserError } from '@tunekit/core';
import { completionLogps, REF_LOGPS_INPUT } from '../dpo/index.js';
import type { ComputeLossWithOutputs } from '../train/index.js';
import type { KtoSettings } from './kto-config.js';

/** The f32 [S] input of each example's label: 1 desirable, 0 undesirable (and empty slots). */
export const KTO_LABEL_INPUT = 'kto_label';

/** Log-probs of the S examples' completions and of the S mismatched KL completions, f32 [S] each. */
export interface KtoLogps {
  readonly completion: Tensor;
  readonly kl: Tensor;
}

/** Per example: its weighted loss and its implicit reward; and the batch's KL estimate. */
export interface KtoTerms {
  readonly losses: Tensor;
  readonly rewards: Tensor;
  /** Scalar: the detached KL estimate, clamped at 0 (0 for apo_zero_unpaired). */
  readonly kl: Tensor;
}

export type KtoLossSettings = Pick<
  KtoSettings,
  'beta' | 'loss_type' | 'desirable_weight' | 'undesirable_weight'
>;

/**
 * TRL's `KTOTrainer.kto_loss` (TRL 0.24) for one batch. With r = log pi(y|x) - log ref(y|x) and the
 * KL estimate z = max(0, mean over the batch's mismatched pairs (x, y') of log pi(y'|x) - log
 * ref(y'|x)), detached:
 * - kto: desirable 1 - s(beta (r - z)), undesirable 1 - s(beta (z - r))  (KTO paper, eq. 7)
 * - apo_zero_unpaired: desirable 1 - s(beta r), undesirable s(beta r)  (APO paper, eq. 7, unpaired)
 * each weighted by desirable_weight or undesirable_weight; the reward is beta r. `desirable` is
 * 1 or 0 per example, `real` 1 for the examples that exist (the KL mean is over those).
 */
export function ktoTerms(
  policy: KtoLogps,
  reference: KtoLogps,
  desirable: Tensor,
  real: Tensor,
  s: KtoLossSettings,
): KtoTerms {
  const { beta } = s;
  const logratios = policy.completion.sub(reference.completion);
  const klMean = policy.kl.sub(reference.kl).mul(real).sum().div(real.sum().maximum(1));
  const kl =
    s.loss_type === 'kto'
      ? ops.stopGradient(klMean).maximum(0)
      : logratios.builder.scalar(0, 'f32');
  const chosen =
    s.loss_type === 'kto'
      ? logratios.sub(kl).mul(beta).sigmoid().neg().add(1)
      : logratios.mul(beta).sigmoid().neg().add(1);
  const rejected =
    s.loss_type === 'kto'
      ? kl.sub(logratios).mul(beta).sigmoid().neg().add(1)
      : logratios.mul(beta).sigmoid();
  const undesirable = desirable.neg().add(1);
  const losses = chosen
    .mul(desirable.mul(s.desirable_weight))
    .add(rejected.mul(undesirable.mul(s.undesirable_weight)));
  return { losses, rewards: ops.stopGradient(logratios).mul(beta), kl };
}

/**
 * The sums KTO's loss gives per batch, which `ktoLogs` turns into TRL's logged metrics: rewards
 * and log-probs summed over the desirable (chosen) and the undesirable (rejected) examples, their
 * counts, and the KL estimate times the batch's examples.
 */
export const KTO_SUMS = [
  'rewards/chosen',
  'rewards/rejected',
  'logps/chosen',
  'logps/rejected',
  'count/desirable',
  'count/undesirable',
  'kl',
] as const;

/**
 * KTO as a ComputeLossWithOutputs over a KTO batch of 2S rows (S examples, prompt + completion,
 * then the same S prompts each with another example's completion, TRL's KL batch): the mean of
 * `ktoTerms`' losses over the window's examples (num_items_in_batch counts examples), with its
 * sums as outputs. The reference log-probs come from the reference logits (the adapter disabled,
 * in the same graph) or from the `ref_logps` input (precompute_ref_log_probs). Empty rows (a short
 * last batch) count nowhere.
 */
export function ktoLoss(s: KtoSettings): ComputeLossWithOutputs {
  return ({ logits, labels, numItemsInBatch, referenceLogits }) => {
    const rows = labels.dim(0);
    const S = rows / 2;
    const policy = completionLogps(logits, labels);
    let reference: Tensor;
    if (s.precompute_ref_log_probs)
      reference = labels.builder.input(REF_LOGPS_INPUT, [rows], 'f32');
    else if (referenceLogits) reference = completionLogps(referenceLogits(), labels).logps;
    else
      throw new UserError(
        'KTO needs a reference model: train an adapter (a peft: section; its base is the reference), or set precompute_ref_log_probs: true (the initial weights are the reference)',
      );
    const halves = (x: Tensor): KtoLogps => ({
      completion: x.narrow(0, 0, S),
      kl: x.narrow(0, S, rows),
    });
    const own = halves(policy.logps);
    const desirable = labels.builder.input(KTO_LABEL_INPUT, [S], 'f32');
    const real = policy.tokens.narrow(0, 0, S).greater(0).cast('f32');
    const terms = ktoTerms(own, halves(reference), desirable, real, s);
    const chosen = desirable.mul(real);
    const rejected = desirable.neg().add(1).mul(real);
    const outputs: Record<(typeof KTO_SUMS)[number], Tensor> = {
      'rewards/chosen': terms.rewards.mul(chosen).sum(),
      'rewards/rejected': terms.rewards.mul(rejected).sum(),
      'logps/chosen': ops.stopGradient(own.completion).mul(chosen).sum(),
      'logps/rejected': ops.stopGradient(own.completion).mul(rejected).sum(),
      'count/desirable': chosen.sum(),
      'count/undesirable': rejected.sum(),
      kl: terms.kl.mul(real.sum()),
    };
    return { loss: terms.losses.mul(real).sum().div(numItemsInBatch), outputs };
  };
}

/**
 * TRL's logged KTO metrics from the sums of a logging window (or an evaluation) over `items`
 * examples: rewards/* and logps/* as means over the desirable or the undesirable examples (absent
 * when there were none), rewards/margins their difference, kl the mean of the batches' estimates
 * (each weighted by its examples), and count/desirable and count/undesirable as counts.
 */
export function ktoLogs(
  sums: Readonly<Record<string, number>>,
  items: number,
): Record<string, number> {
  const logs: Record<string, number> = {};
  for (const [split, count] of [
    ['chosen', sums['count/desirable'] ?? 0],
    ['rejected', sums['count/undesirable'] ?? 0],
  ] as const) {
    if (count === 0) continue;
    for (const metric of ['rewards', 'logps'])
      logs[`${metric}/${split}`] = (sums[`${metric}/${split}`] ?? 0) / count;
  }
  if ('rewards/chosen' in logs && 'rewards/rejected' in logs)
    logs['rewards/margins'] = logs['rewards/chosen'] - logs['rewards/rejected'];
  logs.kl = (sums.kl ?? 0) / Math.max(1, items);
  logs['count/desirable'] = sums['count/desirable'] ?? 0;
  logs['count/undesirable'] = sums['count/undesirable'] ?? 0;
  return logs;
}
