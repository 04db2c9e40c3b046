import { UserError } from '../errors/index.js';
import { formatShape, itemsize, sameShape, sizeOf } from '../graph/index.js';
import { HostTensor } from '../tensor/index.js';
import { atomicWrite } from './atomic-write.js';
import type { DeferredTensor } from './deferred-tensor.js';
import { writeAll } from './file-io.js';
import { SAFETENSORS_NAME_OF } from './safetensors-dtype.js';

/** Named tensors to write, as a Map or a plain object. */
export type TensorMap<T = HostTensor> = ReadonlyMap<string, T> | Readonly<Record<string, T>>;

interface Layout<T> {
  /** The 8-byte length prefix and the JSON header, padded with spaces to 8 bytes. */
  head: Uint8Array;
  /** Tensors in file order (sorted by name). */
  tensors: [string, T][];
}

/**
 * Writes a safetensors file atomically, streaming the header then each tensor in name
 * order, so no buffer of the whole file is ever built. A deferred tensor is loaded only when
 * its turn comes, so a file of them holds one tensor in memory at a time.
 */
export async function writeSafetensors(
  path: string,
  tensors: TensorMap<HostTensor | DeferredTensor>,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  const layout = layoutOf(tensors, metadata, path);
  await atomicWrite(path, async (handle) => {
    await writeAll(handle, layout.head);
    for (const [name, t] of layout.tensors) {
      await writeAll(handle, bytesOf(t instanceof HostTensor ? t : await loadAsDeclared(name, t)));
    }
  });
}

/** The bytes of a safetensors file, for small files and tests. */
export function encodeSafetensors(
  tensors: TensorMap,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const layout = layoutOf(tensors, metadata, 'safetensors buffer');
  const parts = [layout.head, ...layout.tensors.map(([, t]) => bytesOf(t))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function layoutOf<T extends HostTensor | DeferredTensor>(
  tensors: TensorMap<T>,
  metadata: Readonly<Record<string, string>> | undefined,
  target: string,
): Layout<T> {
  const entries = (tensors instanceof Map ? [...tensors] : Object.entries(tensors)) as [
    string,
    T,
  ][];
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__') {
      throw new UserError(`${target}: "__metadata__" is reserved and cannot name a tensor`);
    }
    const size = sizeOf(t.shape) * itemsize(t.dtype);
    header[name] = {
      dtype: SAFETENSORS_NAME_OF[t.dtype],
      shape: t.shape,
      data_offsets: [offset, offset + size],
    };
    offset += size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Pad with spaces so the data area starts 8-byte aligned, as the reference writer does.
  const length = Math.ceil(json.length / 8) * 8;
  const head = new Uint8Array(8 + length).fill(0x20, 8);
  new DataView(head.buffer).setBigUint64(0, BigInt(length), true);
  head.set(json, 8);
  return { head, tensors: entries };
}

/** The tensor's little-endian bytes (f32 held as float64 is narrowed first). */
function bytesOf(t: HostTensor): Uint8Array {
  const data = t.data instanceof Float64Array ? Float32Array.from(t.data) : t.data;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** A deferred tensor's value, which must have the dtype and shape its header entry was given. */
async function loadAsDeclared(name: string, deferred: DeferredTensor): Promise<HostTensor> {
  const t = await deferred.load();
  if (t.dtype !== deferred.dtype || !sameShape(t.shape, deferred.shape)) {
    throw new Error(
      `tensor "${name}" was declared ${deferred.dtype}${formatShape(deferred.shape)} but loaded as ${t.dtype}${formatShape(t.shape)}`,
    );
  }
  return t;
}
