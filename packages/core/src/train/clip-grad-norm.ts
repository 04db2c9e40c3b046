import type { Tensor } from '../graph/tensor.js';

/**
 * Global-norm clipping as torch.nn.utils.clip_grad_norm_: total = sqrt(sum of squares of all
 * gradients), every gradient scaled by min(1, max_norm / (total + 1e-6)). Returns the scaled
 * gradients and the norm before clipping.
 */
export function clipGradNorm(
  grads: readonly Tensor[],
  maxNorm: number,
): { grads: Tensor[]; norm: Tensor } {
  const norm = totalNorm(grads);
  const coef = norm.add(1e-6).reciprocal().mul(maxNorm).minimum(1);
  return { grads: grads.map((g) => g.mul(coef)), norm };
}

export function totalNorm(grads: readonly Tensor[]): Tensor {
  return grads
    .map((g) => g.mul(g).sum())
    .reduce((acc, s) => acc.add(s))
    .sqrt();
}
