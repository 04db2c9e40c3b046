import { type MetricValues, UserError } from '@tunekit/core';

/**
 * The metrics as they are, or a UserError naming those that are NaN or ±Inf: a non-finite score
 * (a NaN loss from NaN weights) is a broken model, never a result to print and exit 0 with.
 */
export function checkFiniteMetrics<M extends MetricValues>(metrics: M): M {
  const bad = Object.entries(metrics).filter(([, value]) => !Number.isFinite(value));
  if (bad.length > 0) {
    const named = bad.map(([name, value]) => `${name} is ${value}`).join(', ');
    throw new UserError(
      `evaluation: metric ${named}; the model's outputs are not finite (NaN or Inf in its weights, or an overflow), so there is no score to report`,
    );
  }
  return metrics;
}
