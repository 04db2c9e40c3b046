import { UserError } from '../errors/index.js';
import type { DType } from '../graph/index.js';
import { type HostArray, HostTensor } from '../tensor/index.js';
import type { RandomAccessFile } from './file-source.js';
import { type FileInput, openFile } from './folder-source.js';
import { readableSafetensorsDTypes, SAFETENSORS_DTYPES } from './safetensors-dtype.js';
import {
  parseSafetensorsHeader,
  readHeaderLength,
  type SafetensorsHeader,
  type SafetensorsTensorInfo,
} from './safetensors-header.js';

/**
 * An open safetensors file. Opening reads and validates only the header; each `read`
 * fetches one tensor's bytes with a positioned read, so a model never sits in memory
 * twice. Data is little-endian, as on every platform Node runs on.
 */
export class SafetensorsFile {
  private constructor(
    readonly path: string,
    private readonly file: RandomAccessFile,
    readonly header: SafetensorsHeader,
  ) {}

  /** Opens a path (a URL in a browser) or a file already open, such as one of a FileSource. */
  static async open(input: FileInput): Promise<SafetensorsFile> {
    const file = await openFile(input);
    if (!file) throw new UserError(`${input}: no such safetensors file`);
    const { path, size } = file;
    try {
      const prefix = await file.read(0, Math.min(8, size));
      const n = readHeaderLength(prefix, size, path);
      const headerBytes = await file.read(8, n);
      return new SafetensorsFile(path, file, parseSafetensorsHeader(headerBytes, size, path));
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  get metadata(): Readonly<Record<string, string>> {
    return this.header.metadata;
  }

  /** Tensor names in header order. */
  keys(): string[] {
    return [...this.header.tensors.keys()];
  }

  has(name: string): boolean {
    return this.header.tensors.has(name);
  }

  info(name: string): SafetensorsTensorInfo {
    const info = this.header.tensors.get(name);
    if (!info) {
      throw new UserError(
        `${this.path}: no tensor "${name}" (the file holds ${this.header.tensors.size} tensors)`,
      );
    }
    return info;
  }

  async read(name: string): Promise<HostTensor> {
    const info = this.info(name);
    checkReadable(info, this.path);
    const bytes = await this.file.read(this.header.dataStart + info.begin, info.end - info.begin);
    return decodeTensor(info, bytes);
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

/** The validated header of a safetensors file, without reading its data. */
export async function readSafetensorsHeader(path: FileInput): Promise<SafetensorsHeader> {
  const file = await SafetensorsFile.open(path);
  await file.close();
  return file.header;
}

/** Every tensor of a safetensors file held in memory, for small files and tests. */
export function readSafetensorsBuffer(
  bytes: Uint8Array,
  source = 'safetensors buffer',
): { metadata: Record<string, string>; tensors: Map<string, HostTensor> } {
  const n = readHeaderLength(bytes, bytes.length, source);
  const header = parseSafetensorsHeader(bytes.subarray(8, 8 + n), bytes.length, source);
  const tensors = new Map<string, HostTensor>();
  for (const info of header.tensors.values()) {
    checkReadable(info, source);
    // Copied into a fresh buffer, aligned for the typed-array view (Buffer.slice would not copy).
    const start = header.dataStart + info.begin;
    const own = new Uint8Array(bytes.subarray(start, start + info.end - info.begin));
    tensors.set(info.name, decodeTensor(info, own));
  }
  return { metadata: { ...header.metadata }, tensors };
}

function checkReadable(info: SafetensorsTensorInfo, source: string): void {
  if (SAFETENSORS_DTYPES[info.dtype].host === null) {
    throw new UserError(
      `${source}: tensor "${info.name}" has dtype ${info.dtype}, which tunekit cannot load (it reads ${readableSafetensorsDTypes()})`,
    );
  }
}

const VIEWS = {
  f32: (b) => new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4),
  f16: (b) => new Uint16Array(b.buffer, b.byteOffset, b.byteLength / 2),
  bf16: (b) => new Uint16Array(b.buffer, b.byteOffset, b.byteLength / 2),
  i32: (b) => new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4),
  i64: (b) => new BigInt64Array(b.buffer, b.byteOffset, b.byteLength / 8),
  u8: (b) => b,
  bool: (b) => b,
} satisfies Record<DType, (bytes: Uint8Array) => HostArray>;

/** Views `bytes` (a fresh, 8-byte-aligned buffer) as the tensor; F64 is rounded to f32. */
function decodeTensor(info: SafetensorsTensorInfo, bytes: Uint8Array): HostTensor {
  if (info.dtype === 'F64') {
    const f64 = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
    return new HostTensor('f32', info.shape, Float32Array.from(f64));
  }
  const dtype = SAFETENSORS_DTYPES[info.dtype].host as DType;
  return new HostTensor(dtype, info.shape, VIEWS[dtype](bytes));
}
