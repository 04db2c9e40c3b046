import { UserError } from '../errors/index.js';
import { formatShape } from '../graph/index.js';
import {
  isSafetensorsDType,
  SAFETENSORS_DTYPES,
  type SafetensorsDType,
} from './safetensors-dtype.js';

/** Headers larger than this are refused, as the reference implementation does. */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;

export interface SafetensorsTensorInfo {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** Byte range [begin, end) of the tensor within the data area that follows the header. */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  /** Offset of the data area in the file: 8 + the header length. */
  readonly dataStart: number;
  /** Tensors in header order. */
  readonly tensors: ReadonlyMap<string, SafetensorsTensorInfo>;
  readonly metadata: Readonly<Record<string, string>>;
}

const METADATA_KEY = '__metadata__';

/** The header length from the first 8 bytes (little-endian u64), checked against the file size. */
export function readHeaderLength(prefix: Uint8Array, fileSize: number, source: string): number {
  if (fileSize < 8) {
    throw new UserError(
      `${source}: the file is ${fileSize} bytes, too short to be a safetensors file (it starts with an 8-byte header length)`,
    );
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_SAFETENSORS_HEADER_BYTES)) {
    throw new UserError(
      `${source}: header length ${n} exceeds the ${MAX_SAFETENSORS_HEADER_BYTES}-byte limit; the file is corrupt or not a safetensors file`,
    );
  }
  if (8 + Number(n) > fileSize) {
    throw new UserError(
      `${source}: header length ${n} runs past the end of the ${fileSize}-byte file; the file is truncated or not a safetensors file`,
    );
  }
  return Number(n);
}

/**
 * Parses and validates a header: known dtypes, non-negative integer shapes, each tensor's
 * byte size equal to dtype x shape, and the tensors covering the data area exactly, with
 * no overlap, hole or trailing bytes (the reference implementation's rule).
 */
export function parseSafetensorsHeader(
  headerBytes: Uint8Array,
  fileSize: number,
  source: string,
): SafetensorsHeader {
  const dataStart = 8 + headerBytes.length;
  const dataSize = fileSize - dataStart;
  const json = parseJsonObject(headerBytes, source);
  let metadata: Record<string, string> = {};
  const tensors = new Map<string, SafetensorsTensorInfo>();
  for (const [name, entry] of Object.entries(json)) {
    if (name === METADATA_KEY) metadata = parseMetadata(entry, source);
    else tensors.set(name, parseEntry(name, entry, dataSize, source));
  }
  checkCoverage([...tensors.values()], dataSize, source);
  return { dataStart, tensors, metadata };
}

function parseJsonObject(headerBytes: Uint8Array, source: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (err) {
    throw new UserError(
      `${source}: the header is not valid UTF-8 JSON (${(err as Error).message}); the file is corrupt or not a safetensors file`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UserError(`${source}: the header must be a JSON object of tensor entries`);
  }
  return parsed as Record<string, unknown>;
}

function parseMetadata(entry: unknown, source: string): Record<string, string> {
  const ok =
    typeof entry === 'object' &&
    entry !== null &&
    !Array.isArray(entry) &&
    Object.values(entry).every((v) => typeof v === 'string');
  if (!ok) throw new UserError(`${source}: "${METADATA_KEY}" must map strings to strings`);
  return { ...(entry as Record<string, string>) };
}

function parseEntry(
  name: string,
  entry: unknown,
  dataSize: number,
  source: string,
): SafetensorsTensorInfo {
  const where = `${source}: tensor "${name}"`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new UserError(`${where}: expected an object with dtype, shape and data_offsets`);
  }
  const { dtype, shape, data_offsets } = entry as Record<string, unknown>;
  if (typeof dtype !== 'string' || !isSafetensorsDType(dtype)) {
    throw new UserError(
      `${where}: unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(SAFETENSORS_DTYPES).join(', ')})`,
    );
  }
  if (!isCountList(shape)) {
    throw new UserError(
      `${where}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`,
    );
  }
  if (
    !isCountList(data_offsets) ||
    data_offsets.length !== 2 ||
    data_offsets[0] > data_offsets[1]
  ) {
    throw new UserError(
      `${where}: data_offsets ${JSON.stringify(data_offsets)} is not a pair [begin, end] of non-negative integers with begin <= end`,
    );
  }
  const [begin, end] = data_offsets;
  if (end > dataSize) {
    throw new UserError(
      `${where}: data_offsets [${begin}, ${end}] run past the end of the data area (${dataSize} bytes); the file is truncated or corrupt`,
    );
  }
  const bytes = SAFETENSORS_DTYPES[dtype].bytes;
  // Exact below 2^53; a larger (rounded) product cannot match a byte count in the file anyway.
  const needed = shape.reduce((n, d) => n * d, bytes);
  if (needed !== end - begin) {
    throw new UserError(
      `${where}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes but dtype ${dtype} x shape ${formatShape(shape)} needs ${needed}`,
    );
  }
  return { name, dtype, shape, begin, end };
}

function isCountList(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => Number.isSafeInteger(x) && x >= 0);
}

function checkCoverage(infos: SafetensorsTensorInfo[], dataSize: number, source: string): void {
  const sorted = [...infos].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: SafetensorsTensorInfo | undefined;
  for (const t of sorted) {
    if (t.begin < covered) {
      throw new UserError(
        `${source}: tensor "${t.name}" (bytes ${t.begin}-${t.end}) overlaps tensor "${previous?.name}" (bytes ${previous?.begin}-${previous?.end})`,
      );
    }
    if (t.begin > covered) {
      throw new UserError(
        `${source}: bytes ${covered}-${t.begin} of the data area, before tensor "${t.name}", belong to no tensor`,
      );
    }
    covered = t.end;
    previous = t;
  }
  if (covered !== dataSize) {
    throw new UserError(
      `${source}: the last ${dataSize - covered} bytes of the data area belong to no tensor`,
    );
  }
}
