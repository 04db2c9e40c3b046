import type { DeviceTensor, DType, Shape } from '@tunekit/core';
import type * as ort from 'onnxruntime-node';

/** A persistent tensor of the onnx backend: an onnxruntime tensor in host memory (CPU EP). */
export class OnnxDeviceTensor implements DeviceTensor {
  readonly backendId = 'onnx';
  constructor(
    public value: ort.Tensor,
    readonly shape: Shape,
    readonly dtype: DType,
  ) {}
}
