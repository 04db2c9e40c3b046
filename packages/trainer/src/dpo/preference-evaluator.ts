import { type Backend, type CausalLM, HostTensor, type PeftModel, UserError } from '@tunekit/core';
import type { BatchPlan } from '../data/index.js';
import { NUM_ITEMS_INPUT } from '../train/index.js';
import type { DpoSettings } from './dpo-config.js';
import { DPO_METRICS, dpoLoss, REF_LOGPS_INPUT } from './dpo-loss.js';
import { lossForward, type PairForward } from './pair-forward.js';

/**
 * TRL's DPO evaluation on held-out pairs: the DPO loss and rewards/chosen, rewards/rejected,
 * rewards/accuracies, rewards/margins, logps/chosen and logps/rejected, each a mean over the
 * pairs. The same loss graph as in training, run forward only; the reference is the base with
 * the adapter disabled in the same graph, or the batches' precomputed `ref_logps`.
 */
export class PreferenceEvaluator {
  private readonly forward: PairForward;

  constructor(opts: {
    readonly model: CausalLM;
    readonly backend: Backend;
    readonly settings: DpoSettings;
    readonly peft?: PeftModel;
  }) {
    this.forward = lossForward({
      ...opts,
      computeLoss: dpoLoss(opts.settings),
      lossInputs: [REF_LOGPS_INPUT],
    });
  }

  /** The metrics over every pair of `batches` (`pairs` of them), unprefixed (`loss`, `rewards/accuracies`). */
  async evaluate(batches: BatchPlan, pairs: number): Promise<Record<string, number>> {
    if (pairs === 0) throw new UserError('DPO evaluation: there are no eval pairs');
    const sums: Record<string, number> = { loss: 0 };
    // every batch's loss is divided by all the pairs, so the batch losses add up to the mean
    const numItems = new HostTensor('f32', [], Float64Array.of(pairs));
    await this.forward.run(
      batches,
      (_, out) => {
        sums.loss += out.loss.item();
        for (const name of DPO_METRICS) sums[name] = (sums[name] ?? 0) + out[name].item();
      },
      { [NUM_ITEMS_INPUT]: numItems },
    );
    return Object.fromEntries(
      Object.entries(sums).map(([name, sum]) => [name, name === 'loss' ? sum : sum / pairs]),
    );
  }

  dispose(): void {
    this.forward.dispose();
  }
}
