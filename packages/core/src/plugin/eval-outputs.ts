// What one evaluation measured: the input of every `Metric` (TOKENS.Metric), built-in or a plugin's.
import type { GenerationSample } from './extension-points.js';

/** The token statistics of the eval batches, summed over the supervised tokens. */
export interface TokenTotals {
  /** Cross-entropy summed over the supervised tokens (nats). */
  readonly lossSum: number;
  /** Supervised tokens whose argmax prediction is the label. */
  readonly correct: number;
  /** Supervised tokens. */
  readonly tokens: number;
}

/** A generated answer beside the reference answer of its eval record. */
export interface EvalSample extends GenerationSample {
  readonly reference: string;
}

export interface EvalOutputs {
  readonly tokens: TokenTotals;
  /** The generation sample with the model's predictions; empty when none was generated. */
  readonly samples: readonly EvalSample[];
}
