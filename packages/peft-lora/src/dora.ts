import { ops, type Tensor } from '@tunekit/core';
import { addScaled, type Matrix, rowNorms } from './host-matrix.js';

// DoRA (Liu et al. 2024, "DoRA: Weight-Decomposed Low-Rank Adaptation") exactly as PEFT computes it
// (peft/tuners/lora/dora.py, DoraLinearLayer; peft/tuners/lora/layer.py, Linear.merge). The weight
// is split into a magnitude m [out] (trained) and a direction W + scaling * B A, normalised per
// output feature: W' = m / ||W + scaling * B A|| * (W + scaling * B A). All [out, in] here.

/** The magnitude DoRA starts from: the norm of each output feature's row of W + scaling * B A. */
export function doraMagnitude(weight: Matrix, loraWeight: Matrix, scaling: number): Float64Array {
  return rowNorms(addScaled(weight, loraWeight, scaling));
}

/**
 * What DoRA adds to the base layer's output (bias included there):
 *   (m / n - 1) * (x W^T) + (m / n) * (x A^T B^T) * scaling,  n = ||W + scaling * B A||
 * so the sum is m / n * x (W + scaling * B A)^T + bias. n is detached, as the paper's section 4.3
 * suggests and PEFT does (`weight_norm.detach()`): it follows B A but gets no gradient.
 * x [..., in], A [r, in], B [out, r], weight [out, in], magnitude [out].
 */
export function doraDelta(
  x: Tensor,
  lora: { readonly A: Tensor; readonly B: Tensor; readonly scaling: number },
  weight: Tensor,
  magnitude: Tensor,
): Tensor {
  const { A, B, scaling } = lora;
  const norm = ops.stopGradient(weight.add(B.matmul(A).mul(scaling)).square().sum(1).sqrt());
  const magNormScale = magnitude.div(norm);
  const baseResult = x.matmul(weight.transpose());
  const loraResult = x.matmul(A.transpose()).matmul(B.transpose());
  return magNormScale.sub(1).mul(baseResult).add(magNormScale.mul(loraResult).mul(scaling));
}
