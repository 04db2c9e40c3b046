import { UserError } from '../errors/index.js';
import { itemsize } from '../graph/index.js';
import type { HostTensor } from '../tensor/index.js';
import { atomicWrite } from './atomic-write.js';
import { writeAll } from './file-io.js';
import { SAFETENSORS_NAME_OF } from './safetensors-dtype.js';

/** Named tensors to write, as a Map or a plain object. */
export type TensorMap = ReadonlyMap<string, HostTensor> | Readonly<Record<string, HostTensor>>;

interface Layout {
  /** The 8-byte length prefix and the JSON header, padded with spaces to 8 bytes. */
  head: Uint8Array;
  /** Tensors in file order (sorted by name). */
  tensors: [string, HostTensor][];
}

/**
 * Writes a safetensors file atomically, streaming the header then each tensor in name
 * order, so no buffer of the whole file is ever built.
 */
export async function writeSafetensors(
  path: string,
  tensors: TensorMap,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  const layout = layoutOf(tensors, metadata, path);
  await atomicWrite(path, async (handle) => {
    await writeAll(handle, layout.head);
    for (const [, t] of layout.tensors) await writeAll(handle, bytesOf(t));
  });
}

/** The bytes of a safetensors file, for small files and tests. */
export function encodeSafetensors(
  tensors: TensorMap,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const layout = layoutOf(tensors, metadata, 'safetensors buffer');
  const parts = [layout.head, ...layout.tensors.map(([, t]) => bytesOf(t))];
  return Buffer.concat(parts);
}

function layoutOf(
  tensors: TensorMap,
  metadata: Readonly<Record<string, string>> | undefined,
  target: string,
): Layout {
  const entries = (tensors instanceof Map ? [...tensors] : Object.entries(tensors)) as [
    string,
    HostTensor,
  ][];
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__') {
      throw new UserError(`${target}: "__metadata__" is reserved and cannot name a tensor`);
    }
    const size = t.size * itemsize(t.dtype);
    header[name] = {
      dtype: SAFETENSORS_NAME_OF[t.dtype],
      shape: t.shape,
      data_offsets: [offset, offset + size],
    };
    offset += size;
  }
  const json = Buffer.from(JSON.stringify(header));
  // Pad with spaces so the data area starts 8-byte aligned, as the reference writer does.
  const padded = Buffer.alloc(Math.ceil(json.length / 8) * 8, ' ');
  json.copy(padded);
  const head = Buffer.alloc(8 + padded.length);
  head.writeBigUInt64LE(BigInt(padded.length), 0);
  padded.copy(head, 8);
  return { head, tensors: entries };
}

/** The tensor's little-endian bytes (f32 held as float64 is narrowed first). */
function bytesOf(t: HostTensor): Uint8Array {
  const data = t.data instanceof Float64Array ? Float32Array.from(t.data) : t.data;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
