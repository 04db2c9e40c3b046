import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWrite, type HostTensor } from '@tunekit/core';
import type { onnx } from 'onnx-proto';
import { OPSET } from '../lower.js';
import { tensorProto } from '../onnx-graph.js';
import { OnnxProto } from '../onnx-proto.js';

/**
 * The folder below the export's top that holds the ONNX files: transformers.js looks in `onnx/`
 * by default (its `subfolder` option), and Optimum finds a single `*.onnx` file in any folder
 * below the one it is given, reading `config.json` from the top.
 */
export const ONNX_SUBFOLDER = 'onnx';
export const ONNX_MODEL_FILE = 'model.onnx';
/** Where weights go when they are stored outside the protobuf, named as Optimum names it. */
export const ONNX_DATA_FILE = 'model.onnx_data';

/** Past this many bytes of weights the protobuf would near its 2 GiB limit: weights go outside. */
const EXTERNAL_DATA_BYTES = 1_800_000_000;

export interface OnnxModelFileOptions {
  /** Weights in `model.onnx_data` rather than inside `model.onnx`; by default only past ~1.8 GB. */
  readonly externalData?: boolean;
}

/**
 * Writes `graph` as `onnx/model.onnx` below `outDir` with `weights` (graph inputs of the same
 * names) turned into initializers, inside the file or, past the protobuf size limit, in
 * `onnx/model.onnx_data` (ONNX's external data: location, relative to model.onnx, offset and
 * length per tensor). Returns the paths written, relative to `outDir`.
 */
export async function writeOnnxModel(
  outDir: string,
  graph: onnx.IGraphProto,
  weights: Readonly<Record<string, HostTensor>>,
  opts: OnnxModelFileOptions = {},
): Promise<string[]> {
  const bytesOf = (t: HostTensor) =>
    new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const entries = Object.entries(weights);
  const total = entries.reduce((sum, [, t]) => sum + t.data.byteLength, 0);
  const external = opts.externalData ?? total > EXTERNAL_DATA_BYTES;
  let offset = 0;
  const initializer = entries.map(([name, t]): onnx.ITensorProto => {
    if (!external) return tensorProto(name, t.dtype, t.shape, bytesOf(t));
    const length = t.data.byteLength;
    const location = [
      { key: 'location', value: ONNX_DATA_FILE },
      { key: 'offset', value: `${offset}` },
      { key: 'length', value: `${length}` },
    ];
    offset += length;
    return {
      ...tensorProto(name, t.dtype, t.shape, new Uint8Array(0)),
      rawData: undefined,
      dataLocation: OnnxProto.TensorProto.DataLocation.EXTERNAL,
      externalData: location,
    };
  });
  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: 'tunekit',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      ...graph,
      input: (graph.input ?? []).filter((i) => !(i.name && i.name in weights)),
      initializer: [...initializer, ...(graph.initializer ?? [])],
    },
  };
  const dir = join(outDir, ONNX_SUBFOLDER);
  const files = [`${ONNX_SUBFOLDER}/${ONNX_MODEL_FILE}`];
  if (external) {
    await atomicWrite(join(dir, ONNX_DATA_FILE), async (handle) => {
      for (const [, t] of entries) await handle.writeFile(bytesOf(t));
    });
    files.push(`${ONNX_SUBFOLDER}/${ONNX_DATA_FILE}`);
  } else {
    await rm(join(dir, ONNX_DATA_FILE), { force: true }); // an earlier export's, now stale
  }
  await atomicWrite(join(dir, ONNX_MODEL_FILE), OnnxProto.ModelProto.encode(model).finish());
  return files;
}
