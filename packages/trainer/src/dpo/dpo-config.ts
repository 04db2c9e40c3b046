import { UserError } from '@tunekit/core';
import { z } from 'zod';

/** TRL's DPO loss types that tunekit implements, as `DPOTrainer.dpo_loss` (TRL 0.28) defines them. */
export const DPO_LOSS_TYPES = ['sigmoid', 'hinge', 'ipo', 'robust'] as const;
export type DpoLossType = (typeof DPO_LOSS_TYPES)[number];

/**
 * TRL's KTOConfig loss types (KTO; APO-zero's unpaired variant), listed here because loss_type is
 * one key for both preference trainers.
 */
export const KTO_LOSS_TYPES = ['kto', 'apo_zero_unpaired'] as const;
export type KtoLossType = (typeof KTO_LOSS_TYPES)[number];

/** Each preference trainer's loss types, its default (TRL's) first. */
const LOSS_TYPES = { sft: DPO_LOSS_TYPES, dpo: DPO_LOSS_TYPES, kto: KTO_LOSS_TYPES } as const;

/**
 * TRL's DPOConfig keys, flat in a job's config as in a TRL config file; they apply with
 * `trainer: dpo`. Defaults are TRL's.
 */
export const dpoFields = {
  trainer: z
    .enum(['sft', 'dpo', 'kto'])
    .default('sft')
    .describe(
      "what trains: 'sft' (supervised fine-tuning, the loss on the answers), 'dpo' (TRL's DPOTrainer on preference pairs, with the DPOConfig keys beta, loss_type, ...) or 'kto' (TRL's KTOTrainer on answers labelled desirable or not, with the KTOConfig keys beta, desirable_weight, ...)",
    ),
  beta: z
    .number()
    .positive()
    .default(0.1)
    .describe('DPO, KTO: how far the policy may move from the reference model (higher: less far)'),
  loss_type: z
    .enum([...DPO_LOSS_TYPES, ...KTO_LOSS_TYPES])
    .optional()
    .describe(
      "DPO: 'sigmoid' (the DPO paper, the default), 'hinge' (SLiC), 'ipo' (IPO, on per-token mean log-probs), 'robust' (Robust DPO, with label_smoothing); KTO: 'kto' (the KTO paper, the default), 'apo_zero_unpaired' (APO-zero, unpaired)",
    ),
  label_smoothing: z
    .number()
    .min(0)
    .lt(0.5)
    .default(0)
    .describe(
      'DPO: the assumed probability that a pair’s preference is flipped (cDPO for sigmoid, Robust DPO for robust); in [0, 0.5)',
    ),
  reference_free: z
    .boolean()
    .default(false)
    .describe(
      'DPO: no reference model: a reference that gives every answer the same probability (log-probs 0)',
    ),
  precompute_ref_log_probs: z
    .boolean()
    .default(false)
    .describe(
      'DPO, KTO: compute the reference log-probs once, in one pass over the data before training, instead of a reference forward in every step (required for full fine-tuning, whose reference is the initial weights)',
    ),
  max_prompt_length: z
    .int()
    .positive()
    .nullable()
    .default(512)
    .describe('DPO, KTO: a longer prompt keeps its last tokens; null: no limit'),
  max_completion_length: z
    .int()
    .positive()
    .nullable()
    .default(null)
    .describe('DPO, KTO: a longer answer keeps its first tokens; null: no limit'),
};

type DpoFields = z.output<z.ZodObject<typeof dpoFields>>;

/** The DPO settings the loss, the data and the evaluation read. */
export type DpoSettings = Omit<DpoFields, 'trainer' | 'loss_type'> & {
  readonly loss_type: DpoLossType;
};

/** The config with loss_type set to its trainer's default (TRL's) where it is unset. */
export function withDefaultLossType<C extends Pick<DpoFields, 'trainer' | 'loss_type'>>(
  config: C,
): C & { loss_type: DpoLossType | KtoLossType } {
  return { ...config, loss_type: config.loss_type ?? LOSS_TYPES[config.trainer][0] };
}

/** The DPOConfig keys of a parsed config, and nothing else of it. */
export function dpoSettings(config: DpoFields): DpoSettings {
  const { loss_type } = withDefaultLossType({ ...config, trainer: 'dpo' });
  if (!(DPO_LOSS_TYPES as readonly string[]).includes(loss_type))
    throw new UserError(`loss_type ${loss_type} is not a DPO loss: ${DPO_LOSS_TYPES.join(', ')}`);
  return {
    beta: config.beta,
    loss_type: loss_type as DpoLossType,
    label_smoothing: config.label_smoothing,
    reference_free: config.reference_free,
    precompute_ref_log_probs: config.precompute_ref_log_probs,
    max_prompt_length: config.max_prompt_length,
    max_completion_length: config.max_completion_length,
  };
}

/**
 * What DPO and KTO cannot combine with: another trainer's loss_type, KTO's KL estimate a batch of
 * one example, packed rows (an answer
 * shares its prompt with other rows, TRL does not pack preference data either) and R-Drop (one
 * loss over two passes of the same rows).
 */
export function refineDpo(
  config: Pick<DpoFields, 'trainer' | 'loss_type'> & {
    packing: boolean;
    rdrop_alpha: number;
    per_device_train_batch_size: number;
  },
  ctx: z.RefinementCtx,
): void {
  const { trainer } = config;
  if (trainer === 'sft') return;
  const types: readonly string[] = LOSS_TYPES[trainer];
  if (config.loss_type !== undefined && !types.includes(config.loss_type))
    ctx.addIssue({
      code: 'custom',
      path: ['loss_type'],
      message: `trainer: ${trainer} takes ${types.join(', ')}`,
    });
  // TRL refuses it too: a batch of one pairs its prompt with its own answer, so KL = reward
  if (
    trainer === 'kto' &&
    config.loss_type !== 'apo_zero_unpaired' &&
    config.per_device_train_batch_size < 2
  )
    ctx.addIssue({
      code: 'custom',
      path: ['per_device_train_batch_size'],
      message:
        'trainer: kto estimates its KL term from the other examples of a batch; it needs 2 or more',
    });
  if (config.packing)
    ctx.addIssue({
      code: 'custom',
      path: ['packing'],
      message: `trainer: ${trainer} batches whole ${trainer === 'dpo' ? 'pairs' : 'examples'}; set packing: false`,
    });
  if (config.rdrop_alpha > 0)
    ctx.addIssue({
      code: 'custom',
      path: ['rdrop_alpha'],
      message: `trainer: ${trainer} has its own loss; R-Drop applies to sft only (rdrop_alpha: 0)`,
    });
}
