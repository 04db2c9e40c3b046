import { type DType, HostTensor, UserError } from '@tunekit/core';
import * as ort from 'onnxruntime-node';
import { ORT_TYPE } from './onnx-dtype.js';

/** Host tensor -> onnxruntime tensor (f32 held as float64 is narrowed). */
export function toOrt(t: HostTensor): ort.Tensor {
  if (t.dtype === 'bf16')
    throw new UserError(
      'onnx backend: onnxruntime-node cannot hold bf16 tensors; load weights as f32',
    );
  const data =
    t.dtype === 'f32' && t.data instanceof Float64Array ? Float32Array.from(t.data) : t.data;
  return new ort.Tensor(ORT_TYPE[t.dtype], data as ort.Tensor.DataType, [...t.shape]);
}

const FROM_ORT: Record<string, DType> = Object.fromEntries(
  Object.entries(ORT_TYPE).map(([k, v]) => [v, k as DType]),
);

export function fromOrt(t: ort.Tensor): HostTensor {
  const dtype = FROM_ORT[t.type];
  if (!dtype) throw new Error(`onnx backend: unexpected output type ${t.type}`);
  return new HostTensor<DType>(dtype, t.dims, t.data as HostTensor['data']);
}
