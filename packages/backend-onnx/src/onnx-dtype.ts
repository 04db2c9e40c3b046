import type { DType } from '@tunekit/core';

/** TensorProto.DataType codes (onnx.proto). */
export const ONNX_DTYPE = {
  f32: 1,
  u8: 2,
  i32: 6,
  i64: 7,
  bool: 9,
  f16: 10,
  bf16: 16,
} as const satisfies Record<DType, number>;

export const UINT32 = 12;

/** onnxruntime-node's tensor type names; it has none for bf16 (the lowering rejects bf16). */
export const ORT_TYPE = {
  f32: 'float32',
  f16: 'float16',
  i32: 'int32',
  i64: 'int64',
  u8: 'uint8',
  bool: 'bool',
} as const satisfies Record<Exclude<DType, 'bf16'>, string>;
