import { type DType, type Shape, sizeOf, stridesOf } from '@tunekit/core';
import type { Kernel } from './kernel.js';

/**
 * Device storage: one 32-bit word per element. Floats (f16 and bf16 too, rounded to their
 * precision on every write, as the reference does) are f32; i32 and i64 are i32; u8 and bool u32.
 */
export function wgslType(dtype: DType): 'f32' | 'i32' | 'u32' {
  if (dtype === 'f32' || dtype === 'f16' || dtype === 'bf16') return 'f32';
  if (dtype === 'i32' || dtype === 'i64') return 'i32';
  return 'u32';
}

/** `value` (already of wgslType(dtype)) as the dtype stores it. */
export function stored(dtype: DType, value: string): string {
  if (dtype === 'f16') return `unpack2x16float(pack2x16float(vec2f(${value}, 0.0))).x`;
  // round to nearest even on the upper 16 bits
  if (dtype === 'bf16') return `round_bf16(${value})`;
  if (dtype === 'u8') return `((${value}) & 255u)`;
  return value;
}

const BF16 = `fn round_bf16(x: f32) -> f32 {
  let b = bitcast<u32>(x);
  return bitcast<f32>((b + 0x7fffu + ((b >> 16u) & 1u)) & 0xffff0000u);
}
`;

/**
 * Non-finite f32 values from their bits: a bitcast of a constant is evaluated at shader creation,
 * where infinities and NaN are errors; through a function it is evaluated at run time.
 */
const BITS_F32 = `fn bits_f32(b: u32) -> f32 { return bitcast<f32>(b); }
`;

/** Storage bindings: inputs read-only, the output last and writable. */
export function bindings(inputs: readonly DType[], out: DType): string {
  const lines = inputs.map(
    (d, i) => `@group(0) @binding(${i}) var<storage, read> x${i}: array<${wgslType(d)}>;`,
  );
  lines.push(
    `@group(0) @binding(${inputs.length}) var<storage, read_write> y: array<${wgslType(out)}>;`,
  );
  return `${lines.join('\n')}\n${BITS_F32}${out === 'bf16' ? BF16 : ''}`;
}

/** A literal of the dtype's WGSL type; floats by their bits, so every f32 is exact. */
export function literal(dtype: DType, value: number): string {
  const type = wgslType(dtype);
  if (type === 'f32') {
    const bits = new Uint32Array(new Float32Array([value]).buffer)[0];
    return Number.isFinite(value) ? `bitcast<f32>(${bits}u)` : `bits_f32(${bits}u)`;
  }
  return type === 'i32' ? `i32(${Math.trunc(value) | 0})` : `${Math.trunc(value) >>> 0}u`;
}

export const WORKGROUP = 64;
const MAX_GROUPS = 65535;

/** A 1-D launch of `n` invocations over a 2-D grid (each dimension is capped at 65535). */
export function launch(n: number): { workgroups: [number, number, number]; index: string } {
  const groups = Math.max(1, Math.ceil(n / WORKGROUP));
  const x = Math.min(groups, MAX_GROUPS);
  const y = Math.ceil(groups / x);
  return { workgroups: [x, y, 1], index: `gid.x + gid.y * ${x * WORKGROUP}u` };
}

/** Statements that split flat index `i` (u32) over `shape` into coordinates c0..c(r-1). */
export function coords(shape: Shape, i = 'i', prefix = 'c'): string {
  if (shape.length === 0) return '';
  const lines = [`var r_${prefix} = ${i};`];
  for (let d = shape.length - 1; d >= 0; d--) {
    lines.push(
      `let ${prefix}${d} = r_${prefix} % ${shape[d]}u; r_${prefix} = r_${prefix} / ${shape[d]}u;`,
    );
  }
  return lines.join(' ');
}

/** base + sum_d c_d * strides[d], skipping zero strides. */
export function offset(strides: readonly number[], base = 0, prefix = 'c'): string {
  const terms = strides.flatMap((s, d) =>
    s === 0 ? [] : [s === 1 ? `${prefix}${d}` : `${prefix}${d} * ${s}u`],
  );
  if (base !== 0 || terms.length === 0) terms.unshift(`${base}u`);
  return terms.join(' + ');
}

/** Strides that read an input of `inShape` broadcast (NumPy rules) to `outShape`. */
export function broadcastStrides(outShape: Shape, inShape: Shape): number[] {
  const own = stridesOf(inShape);
  const lead = outShape.length - inShape.length;
  return outShape.map((_, d) => (d < lead || inShape[d - lead] === 1 ? 0 : own[d - lead]));
}

/**
 * An input read through a strided view: a<k> = element base + sum c_d * strides[d] of binding
 * x<k>. Without strides the input is only bound, for `expr` to index itself.
 */
export interface View {
  readonly node: number;
  readonly dtype: DType;
  readonly strides?: readonly number[];
  readonly base?: number;
}

/**
 * The one-invocation-per-element kernel: for each element of `shape`, reads each input through
 * its view as a<k> and writes `expr` to the output at `outStrides` (default: contiguous).
 */
export function mapKernel(opts: {
  readonly shape: Shape;
  readonly inputs: readonly View[];
  readonly out: DType;
  readonly expr: string;
  readonly outStrides?: readonly number[];
  readonly outBase?: number;
  readonly helpers?: string;
  /** `expr` reads the coordinates c0..c(r-1). */
  readonly coords?: boolean;
}): Kernel {
  const n = sizeOf(opts.shape);
  const { workgroups, index } = launch(n);
  const contiguous = stridesOf(opts.shape);
  const direct = (strides: readonly number[], base = 0) =>
    base === 0 && strides.every((s, d) => s === contiguous[d] || opts.shape[d] === 1);
  const reads = opts.inputs.flatMap((v, k) => {
    if (!v.strides) return [];
    const at = direct(v.strides, v.base) ? 'i' : offset(v.strides, v.base ?? 0);
    return [`let a${k} = x${k}[${at}];`];
  });
  const outStrides = opts.outStrides ?? contiguous;
  const dst = direct(outStrides, opts.outBase) ? 'i' : offset(outStrides, opts.outBase ?? 0);
  const needCoords = opts.coords || reads.some((r) => !r.includes('[i]')) || dst !== 'i';
  const source = `${bindings(
    opts.inputs.map((v) => v.dtype),
    opts.out,
  )}${opts.helpers ?? ''}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = ${index};
  if (i >= ${n}u) { return; }
  ${needCoords ? coords(opts.shape) : ''}
  ${reads.join('\n  ')}
  y[${dst}] = ${stored(opts.out, opts.expr)};
}
`;
  return {
    source,
    inputs: opts.inputs.map((v) => v.node),
    workgroups,
    workgroupBytes: 0,
    invocations: WORKGROUP,
  };
}
