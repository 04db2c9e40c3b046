import type { DType } from '../graph/index.js';

/**
 * The dtypes of the safetensors format, with their size in bytes and the host dtype a
 * tensor of that kind is read as. F64 is read as f32 (the IR has no f64 storage): the
 * values are rounded to the nearest f32. Those with `host: null` are valid in a file but
 * cannot be read into a HostTensor.
 */
export const SAFETENSORS_DTYPES = {
  BOOL: { bytes: 1, host: 'bool' },
  U8: { bytes: 1, host: 'u8' },
  I8: { bytes: 1, host: null },
  F8_E5M2: { bytes: 1, host: null },
  F8_E4M3: { bytes: 1, host: null },
  I16: { bytes: 2, host: null },
  U16: { bytes: 2, host: null },
  F16: { bytes: 2, host: 'f16' },
  BF16: { bytes: 2, host: 'bf16' },
  I32: { bytes: 4, host: 'i32' },
  U32: { bytes: 4, host: null },
  F32: { bytes: 4, host: 'f32' },
  F64: { bytes: 8, host: 'f32' },
  I64: { bytes: 8, host: 'i64' },
  U64: { bytes: 8, host: null },
} as const satisfies Record<string, { bytes: number; host: DType | null }>;

export type SafetensorsDType = keyof typeof SAFETENSORS_DTYPES;

/** The safetensors name a host dtype is written as. */
export const SAFETENSORS_NAME_OF = {
  f32: 'F32',
  f16: 'F16',
  bf16: 'BF16',
  i32: 'I32',
  i64: 'I64',
  u8: 'U8',
  bool: 'BOOL',
} as const satisfies Record<DType, SafetensorsDType>;

export function isSafetensorsDType(name: string): name is SafetensorsDType {
  return Object.hasOwn(SAFETENSORS_DTYPES, name);
}

/** The dtypes that can be read into a HostTensor, for error messages. */
export function readableSafetensorsDTypes(): string {
  return Object.entries(SAFETENSORS_DTYPES)
    .filter(([, d]) => d.host !== null)
    .map(([name]) => name)
    .join(', ');
}
