import type { RouterHeadWeights } from './router-head.js';
import { softmax } from './router-head.js';

/** How `fitRouterHead` trains: full-batch AdamW on the mean cross-entropy. */
export interface FitRouterHeadOptions {
  readonly steps: number;
  readonly learningRate: number;
  readonly weightDecay: number;
}

/**
 * Multinomial logistic regression on standardised pooled states: `x` one vector per example,
 * `y` each example's label index out of `numLabels`. Starts from zero weights (the loss is convex,
 * so the start only sets the path), and takes `steps` full-batch AdamW steps; returns the weights
 * and the final mean cross-entropy. dL/dz = softmax(z) - onehot(y), dL/dW = (dL/dz) x̂ᵀ / N.
 */
export function fitRouterHead(
  x: readonly Float64Array[],
  y: readonly number[],
  numLabels: number,
  opts: FitRouterHeadOptions,
): { weights: RouterHeadWeights; loss: number } {
  const n = x.length;
  const h = x[0].length;
  const featureMean = new Float64Array(h);
  const featureStd = new Float64Array(h);
  for (const row of x) for (let k = 0; k < h; k++) featureMean[k] += row[k] / n;
  for (const row of x)
    for (let k = 0; k < h; k++) featureStd[k] += (row[k] - featureMean[k]) ** 2 / n;
  // a constant feature keeps std 1 rather than dividing by zero
  for (let k = 0; k < h; k++) featureStd[k] = Math.sqrt(featureStd[k]) || 1;
  const xs = x.map((row) => Float64Array.from(row, (v, k) => (v - featureMean[k]) / featureStd[k]));

  const params = new Float64Array(numLabels * h + numLabels); // W then b
  const m = new Float64Array(params.length);
  const v = new Float64Array(params.length);
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  let loss = 0;
  for (let step = 1; step <= opts.steps; step++) {
    const grad = new Float64Array(params.length);
    loss = 0;
    xs.forEach((row, i) => {
      const logits = Array.from({ length: numLabels }, (_, l) => {
        let z = params[numLabels * h + l];
        for (let k = 0; k < h; k++) z += params[l * h + k] * row[k];
        return z;
      });
      const p = softmax(logits);
      loss -= Math.log(Math.max(p[y[i]], 1e-12)) / n;
      for (let l = 0; l < numLabels; l++) {
        const dz = (p[l] - (l === y[i] ? 1 : 0)) / n;
        for (let k = 0; k < h; k++) grad[l * h + k] += dz * row[k];
        grad[numLabels * h + l] += dz;
      }
    });
    for (let j = 0; j < params.length; j++) {
      m[j] = beta1 * m[j] + (1 - beta1) * grad[j];
      v[j] = beta2 * v[j] + (1 - beta2) * grad[j] ** 2;
      const mHat = m[j] / (1 - beta1 ** step);
      const vHat = v[j] / (1 - beta2 ** step);
      // decoupled weight decay on W only, as AdamW's no_decay leaves biases alone
      const decay = j < numLabels * h ? opts.weightDecay * params[j] : 0;
      params[j] -= opts.learningRate * (mHat / (Math.sqrt(vHat) + eps) + decay);
    }
  }
  return {
    weights: {
      featureMean,
      featureStd,
      weight: params.slice(0, numLabels * h),
      bias: params.slice(numLabels * h),
    },
    loss,
  };
}
