import type { onnx } from 'onnx-proto';
import type * as ort from 'onnxruntime-node';
import type { OnnxDeviceTensor } from './onnx-device-tensor.js';
import { ONNX_DTYPE } from './onnx-dtype.js';
import { OnnxProto } from './onnx-proto.js';

/** An in-memory "external data file" handed to onnxruntime (`SessionOptions.externalData`). */
export interface ExternalDataFile {
  readonly path: string;
  readonly data: Uint8Array;
}

/**
 * The model with the graph inputs named in `frozen` turned into initializers, so that onnxruntime
 * treats those weights as constants: it folds their transposes once and pre-packs them for its
 * matmul kernels, instead of doing both on every run. Each initializer's data is an in-memory
 * external data file that views the device tensor's own buffer: onnxruntime reads the weight where
 * it lies (no copy into the protobuf, no 2 GB protobuf limit).
 */
export function withFrozenInitializers(
  model: onnx.IModelProto,
  frozen: ReadonlyMap<string, OnnxDeviceTensor>,
): { model: onnx.IModelProto; externalData: ExternalDataFile[] } {
  const graph = model.graph as onnx.IGraphProto;
  const externalData: ExternalDataFile[] = [];
  const initializers = [...frozen].map(([name, tensor], i): onnx.ITensorProto => {
    const data = bytesOf(tensor.value);
    const path = `frozen-${i}.bin`;
    externalData.push({ path, data });
    return {
      name,
      dims: [...tensor.shape],
      dataType: ONNX_DTYPE[tensor.dtype],
      dataLocation: OnnxProto.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: path },
        { key: 'offset', value: '0' },
        { key: 'length', value: String(data.byteLength) },
      ],
    };
  });
  return {
    model: {
      ...model,
      graph: {
        ...graph,
        input: (graph.input ?? []).filter((i) => !frozen.has(i.name as string)),
        initializer: [...(graph.initializer ?? []), ...initializers],
      },
    },
    externalData,
  };
}

function bytesOf(t: ort.Tensor): Uint8Array {
  const data = t.data as ArrayBufferView;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
