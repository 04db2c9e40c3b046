import type { TemplateFingerprint } from '@tunekit/templates';
import type { BatchPlan, DataStats } from '../data/index.js';

/**
 * The batches of a run whose loss compares the policy with a reference (DPO, KTO); `reference`
 * holds the precomputed reference log-probs, two per training item, when the run precomputes them.
 */
export interface ReferencedData {
  /** The training batches of `epoch`, in an order shuffled with `seed` and the epoch. */
  train(epoch: number, reference?: Float64Array): BatchPlan;
  /** Every training item once: what the reference log-probs are precomputed on. */
  trainInOrder(): BatchPlan;
  /** Evaluation batches in data order; undefined without eval items. */
  eval(reference?: Float64Array): BatchPlan | undefined;
  readonly template: TemplateFingerprint;
  /** As for SFT data, counting the items (pairs, unpaired examples) as examples. */
  readonly stats: DataStats;
}
