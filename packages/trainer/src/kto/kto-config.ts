import { UserError } from '@tunekit/core';
import { z } from 'zod';
import { type DpoSettings, KTO_LOSS_TYPES, type KtoLossType } from '../dpo/index.js';

/** TRL's KTOConfig keys that DPO has not (the shared ones, beta..., are `dpoFields`). */
export const ktoFields = {
  desirable_weight: z
    .number()
    .positive()
    .default(1)
    .describe(
      'KTO: the weight of the desirable examples’ losses (to balance unequal numbers of desirable and undesirable examples)',
    ),
  undesirable_weight: z
    .number()
    .positive()
    .default(1)
    .describe('KTO: the weight of the undesirable examples’ losses'),
};

/** The KTO settings the loss, the data and the evaluation read. */
export interface KtoSettings
  extends Pick<
    DpoSettings,
    'beta' | 'precompute_ref_log_probs' | 'max_prompt_length' | 'max_completion_length'
  > {
  readonly loss_type: KtoLossType;
  readonly desirable_weight: number;
  readonly undesirable_weight: number;
}

/** The KTOConfig keys of a parsed config (loss_type unset: TRL's default, kto). */
export function ktoSettings(
  config: Omit<KtoSettings, 'loss_type'> & { readonly loss_type?: string },
): KtoSettings {
  const loss_type = config.loss_type ?? 'kto';
  if (!(KTO_LOSS_TYPES as readonly string[]).includes(loss_type))
    throw new UserError(`loss_type ${loss_type} is not a KTO loss: ${KTO_LOSS_TYPES.join(', ')}`);
  return {
    beta: config.beta,
    loss_type: loss_type as KtoLossType,
    desirable_weight: config.desirable_weight,
    undesirable_weight: config.undesirable_weight,
    precompute_ref_log_probs: config.precompute_ref_log_probs,
    max_prompt_length: config.max_prompt_length,
    max_completion_length: config.max_completion_length,
  };
}

/**
 * TRL's advice when desirable and undesirable examples differ in number and neither weight is in
 * the range the KTO paper's eq. 8 suggests (desirable_weight · n_D / (undesirable_weight · n_U) in
 * [1, 4/3]); undefined when the weights are fine.
 */
export function weightAdvice(
  desirable: number,
  undesirable: number,
  s: Pick<KtoSettings, 'desirable_weight' | 'undesirable_weight'>,
): string | undefined {
  const nD = Math.max(desirable, 1);
  const nU = Math.max(undesirable, 1);
  if (nD === nU) return undefined;
  const round = (x: number) => Math.round(x * 100) / 100;
  const des = [
    round((nU * s.undesirable_weight) / nD),
    round(((nU * s.undesirable_weight) / nD) * 1.33),
  ];
  const und = [round((nD * s.desirable_weight) / nU / 1.33), round((nD * s.desirable_weight) / nU)];
  const within = (x: number, [lo, hi]: number[]) => lo <= x && x <= hi;
  if (within(s.desirable_weight, des) || within(s.undesirable_weight, und)) return undefined;
  return `${desirable} desirable and ${undesirable} undesirable training examples, and the weights are outside the range TRL suggests: set EITHER desirable_weight in [${des.join(', ')}] or undesirable_weight in [${und.join(', ')}] (not both)`;
}
