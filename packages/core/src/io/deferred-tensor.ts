import type { DType, Shape } from '../graph/index.js';
import type { HostTensor } from '../tensor/index.js';

/**
 * A tensor to write whose dtype and shape are known before its values are: a writer lays out the
 * file from them and calls `load` only when the tensor's turn comes, so a model converted tensor by
 * tensor (quantized, dequantized, cast) is never held whole.
 */
export interface DeferredTensor {
  readonly dtype: DType;
  readonly shape: Shape;
  load(): Promise<HostTensor>;
}
