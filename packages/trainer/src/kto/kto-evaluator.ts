import { type Backend, type CausalLM, HostTensor, type PeftModel, UserError } from '@tunekit/core';
import type { BatchPlan } from '../data/index.js';
import { lossForward, type PairForward, REF_LOGPS_INPUT } from '../dpo/index.js';
import { NUM_ITEMS_INPUT } from '../train/index.js';
import type { KtoSettings } from './kto-config.js';
import { KTO_LABEL_INPUT, KTO_SUMS, ktoLogs, ktoLoss } from './kto-loss.js';

/**
 * TRL's KTO evaluation on held-out examples: the KTO loss (the mean over the examples) and
 * rewards/chosen, rewards/rejected, rewards/margins, logps/chosen, logps/rejected, kl and the
 * counts (`ktoLogs`). The loss graph of training, run forward only; the reference is the base with
 * the adapter disabled in the same graph, or the batches' precomputed `ref_logps`.
 */
export class KtoEvaluator {
  private readonly forward: PairForward;

  constructor(opts: {
    readonly model: CausalLM;
    readonly backend: Backend;
    readonly settings: KtoSettings;
    readonly peft?: PeftModel;
  }) {
    this.forward = lossForward({
      ...opts,
      computeLoss: ktoLoss(opts.settings),
      lossInputs: [REF_LOGPS_INPUT, KTO_LABEL_INPUT],
    });
  }

  /** The metrics over every example of `batches` (`examples` of them), unprefixed (`loss`, `kl`). */
  async evaluate(batches: BatchPlan, examples: number): Promise<Record<string, number>> {
    if (examples === 0) throw new UserError('KTO evaluation: there are no eval examples');
    let loss = 0;
    const sums: Record<string, number> = {};
    // every batch's loss is divided by all the examples, so the batch losses add up to the mean
    const numItems = new HostTensor('f32', [], Float64Array.of(examples));
    await this.forward.run(
      batches,
      (_, out) => {
        loss += out.loss.item();
        for (const name of KTO_SUMS) sums[name] = (sums[name] ?? 0) + out[name].item();
      },
      { [NUM_ITEMS_INPUT]: numItems },
    );
    return { loss, ...ktoLogs(sums, examples) };
  }

  dispose(): void {
    this.forward.dispose();
  }
}
