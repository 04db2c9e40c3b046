import { HostTensor, randomNormal } from '@tunekit/core';
import type { LoraConfig } from './config.js';

/** lora_A [r, in] and lora_B [out, r] as PEFT's `reset_lora_parameters` leaves them. */
export function initLoraWeights(
  init: LoraConfig['init_lora_weights'],
  shape: { readonly r: number; readonly inFeatures: number; readonly outFeatures: number },
  random: () => number,
): { A: HostTensor; B: HostTensor } {
  const { r, inFeatures, outFeatures } = shape;
  const A =
    init === 'gaussian'
      ? HostTensor.from(
          'f32',
          [r, inFeatures],
          randomNormal(r * inFeatures, random).map((v) => v / r),
        )
      : linearInit([r, inFeatures], random);
  // init false keeps torch.nn.Linear's init for B too: the adapter is not a no-op (for tests)
  const B =
    init === false
      ? linearInit([outFeatures, r], random)
      : HostTensor.zeros('f32', [outFeatures, r]);
  return { A, B };
}

/**
 * torch.nn.Linear's weight init, kaiming_uniform_(a = sqrt(5)): gain = sqrt(2 / (1 + a^2)) =
 * sqrt(1/3), bound = gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in), so U(-1/sqrt(in), 1/sqrt(in)).
 */
function linearInit(shape: [number, number], random: () => number): HostTensor {
  const bound = 1 / Math.sqrt(shape[1]);
  const n = shape[0] * shape[1];
  return HostTensor.from(
    'f32',
    shape,
    Float64Array.from({ length: n }, () => (2 * random() - 1) * bound),
  );
}
