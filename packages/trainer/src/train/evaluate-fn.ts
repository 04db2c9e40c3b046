import type { GenerationSample, MetricValues } from '@tunekit/core';

/** One evaluation as the Trainer sees it. */
export interface TrainerEvaluation {
  /** Unprefixed (`loss`, `perplexity`, `exact_match`); the Trainer adds HF's `eval_` prefix. */
  readonly metrics: MetricValues;
  /** Generations kept for review; the report shows the first and the last evaluation's. */
  readonly samples?: readonly GenerationSample[];
}

/**
 * What the Trainer calls to evaluate (e.g. the eval package's `Evaluator.evaluate` on the eval
 * split). Before each call the model's parameters hold the current trained values (downloaded from
 * the device) and adapter dropout is off, so it traces and feeds the module tree as it finds it.
 */
export type EvaluateFn = () => Promise<TrainerEvaluation>;
