import type { OptimizerArgs, OptimizerFactory } from '@tunekit/core';
import { bnbAdamW } from './bnb-adamw.js';

/**
 * transformers' names for bitsandbytes' AdamW (`bnb.optim.AdamW` with `optim_bits` and `is_paged`).
 * All three run on the host over chunks: on the onnx and reference backends host and device memory
 * are one, so paging changes nothing there and `adamw_8bit` equals `paged_adamw_8bit`; a backend with
 * device memory may run `adamw_8bit` on the device and keep the paged ones on the host.
 */
export const BNB_OPTIMIZERS: readonly OptimizerFactory[] = Object.freeze(
  (
    [
      ['adamw_8bit', 8],
      ['paged_adamw_8bit', 8],
      ['paged_adamw_32bit', 32],
    ] as const
  ).map(([id, optimBits]) => ({
    id,
    create: (args: OptimizerArgs) => bnbAdamW({ id, optimBits, ...args }),
  })),
);
