import type { DType, Node, PrimitiveOpName } from '@tunekit/core';
import type { Lowering } from './kernel.js';
import { broadcastStrides, literal, mapKernel, wgslType } from './wgsl.js';

/** out = expr(a0, a1, ...) over the inputs broadcast to the node's shape. */
function broadcastMap(node: Node, inputs: readonly Node[], expr: string, helpers = '') {
  return mapKernel({
    shape: node.shape,
    inputs: inputs.map((x) => ({
      node: x.id,
      dtype: x.dtype,
      strides: broadcastStrides(node.shape, x.shape),
    })),
    out: node.dtype,
    expr,
    helpers,
  });
}

const map =
  (expr: string, helpers = '') =>
  (node: Node, inputs: readonly Node[]) => [broadcastMap(node, inputs, expr, helpers)];

/** tanh from exp(-2|x|): no overflow for large |x| (some drivers' tanh gives NaN there). */
const TANH = `fn tanh_exact(x: f32) -> f32 { let e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }
`;

/**
 * sin and cos to f32 precision: Vulkan lets a driver's sin/cos be off by 2^-11 (SwiftShader's
 * are). Cody-Waite reduction by pi/2 in three parts, then Cephes' sinf/cosf polynomials on
 * [-pi/4, pi/4]; `shift` 1 gives cos (a quarter turn more).
 */
const SINCOS = `fn sin_acc(x: f32, shift: i32) -> f32 {
  let k = round(x * 0.636619772367581);
  let r = ((x - k * 1.5703125) - k * 4.837512969970703125e-4) - k * 7.54978995489188216e-8;
  let r2 = r * r;
  let s = r + r * r2 * (-1.6666654611e-1 + r2 * (8.3321608736e-3 + r2 * -1.9515295891e-4));
  let c = 1.0 - 0.5 * r2 + r2 * r2 * (4.166664568298827e-2 + r2 * (-1.388731625493765e-3 + r2 * 2.443315711809948e-5));
  let q = (i32(k) + shift) & 3;
  let v = select(s, c, (q & 1) == 1);
  return select(v, -v, q >= 2);
}
`;

/** erf, Abramowitz and Stegun 7.1.26 (absolute error < 1.5e-7, below f32 tolerance). */
const ERF = `fn erf_as(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign(x) * (1.0 - p * exp(-x * x));
}
`;

/** a ** b as JavaScript computes it: negative bases with integer exponents, and x ** 0 = 1. */
const POW = `fn pow_js(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  let m = pow(abs(a), b);
  if (a >= 0.0) { return m; }
  if (b != round(b)) { return bits_f32(0x7fc00000u); }
  return select(m, -m, (i32(b) & 1) != 0);
}
`;

/** bool results are u32 0/1. */
const compare = (op: string) => map(`select(0u, 1u, a0 ${op} a1)`);

/** An integer op on i32 values, a float one on f32: the WGSL is the same text. */
const arith = (op: string) => map(`a0 ${op} a1`);

function castExpr(from: DType, to: DType): string {
  const src = wgslType(from);
  if (to === 'bool') return `select(0u, 1u, a0 != ${src}(0))`;
  const dst = wgslType(to);
  if (dst === 'f32') return `f32(a0)`;
  // float to integer truncates toward zero, as Math.trunc
  const int = src === 'f32' ? 'i32(trunc(a0))' : src === 'u32' ? 'i32(a0)' : 'a0';
  return dst === 'i32' ? int : `u32(${int})`;
}

type ElementwiseName =
  | 'neg'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'reciprocal'
  | 'sin'
  | 'cos'
  | 'tanh'
  | 'erf'
  | 'abs'
  | 'sign'
  | 'cast'
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'maximum'
  | 'minimum'
  | 'equal'
  | 'less'
  | 'greater'
  | 'where'
  | 'constant'
  | 'arange'
  | 'random_uniform';

/** PCG hash (core's counter-rng.ts): only u32 multiply, add, xor and shifts, so bit-exact. */
const PCG = `fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}
`;

export const ELEMENTWISE: { readonly [K in ElementwiseName]: Lowering<K> } = {
  neg: map('-a0'),
  exp: map('exp(a0)'),
  log: map('log(a0)'),
  sqrt: map('sqrt(a0)'),
  reciprocal: map('1.0 / a0'),
  sin: map('sin_acc(a0, 0)', SINCOS),
  cos: map('sin_acc(a0, 1)', SINCOS),
  tanh: map('tanh_exact(a0)', TANH),
  erf: map('erf_as(a0)', ERF),
  abs: map('abs(a0)'),
  sign: map('sign(a0)'),
  cast: (node, [x]) => [broadcastMap(node, [x], castExpr(x.dtype, node.dtype))],
  add: arith('+'),
  sub: arith('-'),
  mul: arith('*'),
  div: arith('/'),
  pow: map('pow_js(a0, a1)', POW),
  maximum: map('max(a0, a1)'),
  minimum: map('min(a0, a1)'),
  equal: compare('=='),
  less: compare('<'),
  greater: compare('>'),
  where: map('select(a2, a1, a0 != 0u)'),
  constant(node) {
    const { value, dtype } = node.attrs;
    if (typeof value === 'number') return [broadcastMap(node, [], literal(dtype, value))];
    // floats as their bits (exact, and infinities allowed), read back with a bitcast
    const float = wgslType(dtype) === 'f32';
    const type = float ? 'u32' : wgslType(dtype);
    const words = float ? new Uint32Array(Float32Array.from(value).buffer) : value;
    const values = Array.from(words, (v) => (float ? `${v}u` : literal(dtype, v))).join(', ');
    return [
      mapKernel({
        shape: node.shape,
        inputs: [],
        out: dtype,
        expr: float ? 'bitcast<f32>(TABLE[i])' : 'TABLE[i]',
        helpers: `var<private> TABLE: array<${type}, ${value.length}> = array<${type}, ${value.length}>(${values});\n`,
      }),
    ];
  },
  arange: (node) => [
    mapKernel({
      shape: node.shape,
      inputs: [],
      out: node.dtype,
      expr: `${wgslType(node.dtype)}(i)`,
    }),
  ],
  // element i with seed s: pcg(i + pcg(s)) >> 8, scaled to [0, 1)
  random_uniform: (node, [seed]) => [
    mapKernel({
      shape: node.shape,
      inputs: [{ node: seed.id, dtype: seed.dtype, strides: node.shape.map(() => 0) }],
      out: 'f32',
      expr: 'f32(pcg(i + pcg(bitcast<u32>(a0))) >> 8u) * 5.9604644775390625e-8',
      helpers: PCG,
    }),
  ],
} satisfies { readonly [K in ElementwiseName]: Lowering<K> } & Partial<
  Record<PrimitiveOpName, unknown>
>;
