// onnx-proto is CommonJS whose named export Node's ESM loader cannot see: take it from the default.

import type { onnx } from 'onnx-proto';
import onnxProto from 'onnx-proto';

/** The runtime `onnx` namespace of onnx-proto (message classes and enums). */
export const OnnxProto = (onnxProto as unknown as { onnx: typeof onnx }).onnx;
