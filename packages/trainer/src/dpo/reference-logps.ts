import { type Backend, type CausalLM, type PeftModel, UserError } from '@tunekit/core';
import type { BatchPlan } from '../data/index.js';
import { withoutAdapter } from '../train/index.js';
import { completionLogps } from './completion-logps.js';
import { PairForward } from './pair-forward.js';

/**
 * TRL's precompute_ref_log_probs: one pass over `batches` (in data order, no shuffling) with the
 * reference model, the base with `peft`'s adapter disabled or, without an adapter, the model's
 * weights as they are now (before training). Gives each pair's summed answer log-probs, chosen
 * then rejected, at 2 × its index: what `PreferenceData.train` and `eval` feed to the loss. It
 * leaves adapter dropout off; the Trainer switches it on when training starts.
 */
export async function referenceLogps(opts: {
  readonly model: CausalLM;
  readonly backend: Backend;
  readonly peft?: PeftModel;
  readonly batches: BatchPlan;
  readonly pairs: number;
}): Promise<Float64Array> {
  const { model, peft } = opts;
  const reference = peft ? withoutAdapter(peft) : <T>(trace: () => T) => trace();
  const forward = new PairForward(
    model,
    opts.backend,
    (ctx, { input_ids, position_ids, labels }) => {
      const logits = reference(() => model.forward(ctx, { input_ids, position_ids }).logits);
      return { logps: completionLogps(logits, labels).logps };
    },
  );
  const out = new Float64Array(2 * opts.pairs).fill(Number.NaN);
  peft?.train(false);
  try {
    await forward.run(opts.batches, (batch, { logps }) => {
      const slots = batch.input_ids.shape[0] / 2;
      const values = logps.toArray();
      batch.examples.forEach((id, slot) => {
        out[2 * id] = values[slot];
        out[2 * id + 1] = values[slots + slot];
      });
    });
  } finally {
    forward.dispose();
  }
  const missing = out.findIndex((v) => !Number.isFinite(v));
  if (missing >= 0)
    throw new UserError(
      `precompute_ref_log_probs: pair ${missing >> 1} got no finite reference log-prob`,
    );
  return out;
}
