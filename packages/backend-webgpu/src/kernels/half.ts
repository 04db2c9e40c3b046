/**
 * f16 storage of an f32 tensor: two halves per 32-bit word, element 2i in the low half (the
 * layout of WGSL's `array<f16>` and of `pack2x16float`), rounded to nearest even. Kernels read it
 * as `f16` where the device has `shader-f16`, else as `u32` words unpacked with
 * `unpack2x16float` (core WGSL): the same buffer, half the memory either way; arithmetic stays f32.
 */
export type HalfRead = 'f16' | 'packed';

/** The WGSL element type of a binding holding halves. */
export function halfElement(read: HalfRead): string {
  return read === 'f16' ? 'f16' : 'u32';
}

/** WGSL: element `index` (a u32 expression) of binding `x` as an f32. */
export function halfLoad(read: HalfRead, x: string, index: string): string {
  return read === 'f16'
    ? `f32(${x}[${index}])`
    : `unpack2x16float(${x}[(${index}) >> 1u])[(${index}) & 1u]`;
}

/** Bytes of `n` halves on the device (whole 32-bit words, at least one). */
export function halfBytes(n: number): number {
  return 4 * Math.max(1, Math.ceil(n / 2));
}

/**
 * The shader that converts `n` values between f32 words and halves, for a tensor that a graph
 * stores otherwise than it is held: to halves, one word of two halves per invocation; from halves,
 * one f32 word per invocation.
 */
export function convertHalvesSource(n: number, toHalves: boolean): string {
  const [from, to] = toHalves ? ['f32', 'u32'] : ['u32', 'f32'];
  const body = toHalves
    ? `let hi = select(0.0, x[min(2u * i + 1u, ${Math.max(n - 1, 0)}u)], 2u * i + 1u < ${n}u);
  y[i] = pack2x16float(vec2f(x[2u * i], hi));`
    : 'y[i] = unpack2x16float(x[i >> 1u])[i & 1u];';
  return `@group(0) @binding(0) var<storage, read> x: array<${from}>;
@group(0) @binding(1) var<storage, read_write> y: array<${to}>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x + gid.y * ${65535 * 64}u;
  if (i >= ${toHalves ? Math.ceil(n / 2) : n}u) { return; }
  ${body}
}
`;
}

/** The grid of convertHalvesSource(n, toHalves): 64 invocations per workgroup, rows of 65535. */
export function convertHalvesWorkgroups(n: number, toHalves: boolean): [number, number, number] {
  const groups = Math.max(1, Math.ceil((toHalves ? Math.ceil(n / 2) : n) / 64));
  const x = Math.min(groups, 65535);
  return [x, Math.ceil(groups / x), 1];
}
