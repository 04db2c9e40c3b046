import type { Tensor } from '../graph/tensor.js';

/**
 * Hugging Face's `ACT2FN`: activation functions by the names `config.json` uses (`hidden_act`,
 * `activation_function`).
 */
export const ACTIVATIONS = {
  gelu: (x) => x.gelu('none'),
  gelu_new: (x) => x.gelu('tanh'),
  gelu_pytorch_tanh: (x) => x.gelu('tanh'),
  gelu_fast: (x) => x.gelu('tanh'),
  // x * sigmoid(1.702 x), CLIP's approximation
  quick_gelu: (x) => x.mul(x.mul(1.702).sigmoid()),
  relu: (x) => x.relu(),
  silu: (x) => x.silu(),
  swish: (x) => x.silu(),
} satisfies Record<string, (x: Tensor) => Tensor>;

export type ActivationName = keyof typeof ACTIVATIONS;

export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS) as [ActivationName, ...ActivationName[]];
