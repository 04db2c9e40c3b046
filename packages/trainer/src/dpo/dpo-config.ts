import { z } from 'zod';

/** TRL's DPO loss types that tunekit implements, as `DPOTrainer.dpo_loss` (TRL 0.28) defines them. */
export const DPO_LOSS_TYPES = ['sigmoid', 'hinge', 'ipo', 'robust'] as const;
export type DpoLossType = (typeof DPO_LOSS_TYPES)[number];

/**
 * TRL's DPOConfig keys, flat in a job's config as in a TRL config file; they apply with
 * `trainer: dpo`. Defaults are TRL's.
 */
export const dpoFields = {
  trainer: z
    .enum(['sft', 'dpo'])
    .default('sft')
    .describe(
      "what trains: 'sft' (supervised fine-tuning, the loss on the answers) or 'dpo' (TRL's DPOTrainer on preference pairs, with the DPOConfig keys beta, loss_type, ...)",
    ),
  beta: z
    .number()
    .positive()
    .default(0.1)
    .describe('DPO: how far the policy may move from the reference model (higher: less far)'),
  loss_type: z
    .enum(DPO_LOSS_TYPES)
    .default('sigmoid')
    .describe(
      "DPO: 'sigmoid' (the DPO paper), 'hinge' (SLiC), 'ipo' (IPO, on per-token mean log-probs), 'robust' (Robust DPO, with label_smoothing)",
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
      'DPO: compute the reference log-probs once, in one pass over the data before training, instead of a reference forward in every step (required for full fine-tuning, whose reference is the initial weights)',
    ),
  max_prompt_length: z
    .int()
    .positive()
    .nullable()
    .default(512)
    .describe('DPO: a longer prompt keeps its last tokens; null: no limit'),
  max_completion_length: z
    .int()
    .positive()
    .nullable()
    .default(null)
    .describe('DPO: a longer answer keeps its first tokens; null: no limit'),
};

type DpoFields = z.output<z.ZodObject<typeof dpoFields>>;

/** The DPO settings the loss, the data and the evaluation read. */
export type DpoSettings = Omit<DpoFields, 'trainer'>;

/** The DPOConfig keys of a parsed config, and nothing else of it. */
export function dpoSettings(config: DpoFields): DpoSettings {
  return {
    beta: config.beta,
    loss_type: config.loss_type,
    label_smoothing: config.label_smoothing,
    reference_free: config.reference_free,
    precompute_ref_log_probs: config.precompute_ref_log_probs,
    max_prompt_length: config.max_prompt_length,
    max_completion_length: config.max_completion_length,
  };
}

/**
 * What DPO cannot combine with: packed rows (a pair's answers share one prompt, TRL does not pack
 * DPO data either) and R-Drop (one loss over two passes of the same rows).
 */
export function refineDpo(
  config: { trainer: 'sft' | 'dpo'; packing: boolean; rdrop_alpha: number },
  ctx: z.RefinementCtx,
): void {
  if (config.trainer !== 'dpo') return;
  if (config.packing)
    ctx.addIssue({
      code: 'custom',
      path: ['packing'],
      message: 'trainer: dpo batches whole pairs; set packing: false',
    });
  if (config.rdrop_alpha > 0)
    ctx.addIssue({
      code: 'custom',
      path: ['rdrop_alpha'],
      message: 'trainer: dpo has its own loss; R-Drop applies to sft only (rdrop_alpha: 0)',
    });
}
