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

/**
 * Storage bindings: inputs read-only, the output last and writable. `elements` overrides an
 * input's WGSL element type (an f16-stored weight: `f16`, or `u32` holding two halves).
 */
export function bindings(
  inputs: readonly DType[],
  out: DType,
  elements: readonly (string | undefined)[] = [],
): string {
  const lines = inputs.map(
    (d, i) =>
      `@group(0) @binding(${i}) var<storage, read> x${i}: array<${elements[i] ?? wgslType(d)}>;`,
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

/** Reads word j of the uniform `p` (an array of vec4u, as uniforms align arrays to 16 bytes). */
export const param = (j: number) => `p.v[${j >> 2}].${'xyzw'[j & 3]}`;

/** The uniform `p` at `binding` for `words` u32 sizes, read with `param`; pad `words` with padParams. */
export function paramsDecl(words: number, binding: number): string {
  return `struct Params { v: array<vec4u, ${Math.ceil(words / 4)}> }
@group(0) @binding(${binding}) var<uniform> p: Params;
`;
}

/** The sizes as the uniform's words, zero-padded to whole vec4s. */
export function padParams(words: readonly number[]): Uint32Array {
  const out = new Uint32Array(Math.ceil(words.length / 4) * 4);
  out.set(words);
  return out;
}

/**
 * The one-invocation-per-element kernel: for each element of `shape`, reads each input through
 * its view as a<k> and writes `expr` to the output at `outStrides` (default: contiguous).
 * Sizes, strides and offsets are passed in the uniform `p`, not baked into the source, so one
 * pipeline serves every shape of a given rank (a software adapter compiles each in 0.1-1 s, and
 * generation meets a new sequence length at every token); an `expr` or `helpers` that bakes a
 * size makes its own pipeline.
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
  const rank = opts.shape.length;
  const n = sizeOf(opts.shape);
  const { workgroups } = launch(n);
  const contiguous = stridesOf(opts.shape);
  const direct = (strides: readonly number[], base = 0) =>
    base === 0 && strides.every((s, d) => s === contiguous[d] || opts.shape[d] === 1);
  // p: [n, row stride of the grid, dims..., then base and strides of each strided view]
  const params = [n, workgroups[0] * WORKGROUP, ...opts.shape];
  const strided = (strides: readonly number[], base: number): string => {
    const at = params.length;
    params.push(base, ...strides);
    const terms = strides.map((_, d) => `c${d} * ${param(at + 1 + d)}`);
    return [param(at), ...terms].join(' + ');
  };
  const reads = opts.inputs.flatMap((v, k) => {
    if (!v.strides) return [];
    const at = direct(v.strides, v.base) ? 'i' : strided(v.strides, v.base ?? 0);
    return [`let a${k} = x${k}[${at}];`];
  });
  const outStrides = opts.outStrides ?? contiguous;
  const dst = direct(outStrides, opts.outBase) ? 'i' : strided(outStrides, opts.outBase ?? 0);
  const needCoords = opts.coords || reads.some((r) => !r.includes('[i]')) || dst !== 'i';
  const split = [...Array(rank).keys()]
    .reverse()
    .map((d) => `let c${d} = r % ${param(2 + d)}; r = r / ${param(2 + d)};`)
    .join(' ');
  const source = `${bindings(
    opts.inputs.map((v) => v.dtype),
    opts.out,
  )}${paramsDecl(params.length, opts.inputs.length + 1)}
${opts.helpers ?? ''}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * ${param(1)};
  if (i >= ${param(0)}) { return; }
  ${needCoords && rank > 0 ? `var r = i; ${split}` : ''}
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
    params: padParams(params),
  };
}
