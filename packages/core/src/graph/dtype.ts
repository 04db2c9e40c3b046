/** Element types of the IR. bf16 and f16 are storage types; arithmetic on them rounds per op. */
export type DType = 'f32' | 'f16' | 'bf16' | 'i32' | 'i64' | 'u8' | 'bool';

export const DTYPES: readonly DType[] = ['f32', 'f16', 'bf16', 'i32', 'i64', 'u8', 'bool'];

const ITEMSIZE = { f32: 4, f16: 2, bf16: 2, i32: 4, i64: 8, u8: 1, bool: 1 } satisfies Record<
  DType,
  number
>;

export function itemsize(dtype: DType): number {
  return ITEMSIZE[dtype];
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'f32' || dtype === 'f16' || dtype === 'bf16';
}

export function isInteger(dtype: DType): boolean {
  return dtype === 'i32' || dtype === 'i64' || dtype === 'u8';
}
