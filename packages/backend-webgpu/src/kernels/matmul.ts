import { type Node, type Shape, sizeOf, UserError } from '@tunekit/core';
import { type HalfRead, halfElement, halfLoad } from './half.js';
import type { Kernel, Lowering } from './kernel.js';
import { bindings, broadcastStrides, stored, wgslType } from './wgsl.js';

/** Output tile per workgroup (TILE x TILE), K step, and outputs per invocation (PER x PER). */
const TILE = 32;
const PER = 4;
const THREADS = TILE / PER; // per side: 8 x 8 = 64 invocations, within compatibility limits
/** Batch axes the uniform holds (more are a compile-time error). */
const BATCH_AXES = 4;

const range = (n: number) => [...Array(n).keys()];

/**
 * How a matmul reads one operand: `node`'s buffer, with its last two axes swapped when
 * `transposed` (the operand is transpose(node), which is then never computed), and stored as f16
 * halves when `half` says how to read them (see half.ts).
 */
export interface MatmulOperand {
  readonly node: Node;
  readonly transposed?: boolean;
  readonly half?: HalfRead;
}

/**
 * Statements loading one element of each operand into the workgroup tiles: `As[r][c]` is
 * A[row0 + r][k0 + c] and `Bs[r][c]` is B[k0 + r][col0 + c]. A transposed operand is read with
 * consecutive invocations on its contiguous axis.
 */
function tileLoads(a: MatmulOperand, b: MatmulOperand, t: string): string {
  const load = (x: MatmulOperand, binding: string, index: string) =>
    x.half ? `${t}(${halfLoad(x.half, binding, index)})` : `${binding}[${index}]`;
  const aIndex = a.transposed
    ? 'aBase + (k0 + c) * m + row0 + r'
    : 'aBase + (row0 + r) * k + k0 + c';
  const bIndex = b.transposed
    ? 'bBase + (col0 + c) * k + k0 + r'
    : 'bBase + (k0 + r) * n + col0 + c';
  const split = (x: MatmulOperand) =>
    x.transposed
      ? `let r = e % ${TILE}u; let c = e / ${TILE}u;`
      : `let r = e / ${TILE}u; let c = e % ${TILE}u;`;
  return `{ ${split(a)}
        var av = ${t}(0);
        if (row0 + r < m && k0 + c < k) { av = ${load(a, 'x0', aIndex)}; }
        As[r * ${TILE}u + c] = av; }
      { ${split(b)}
        var bv = ${t}(0);
        if (k0 + r < k && col0 + c < n) { bv = ${load(b, 'x1', bIndex)}; }
        Bs[r * ${TILE}u + c] = bv; }`;
}

/**
 * The matmul shader for one pair of operand reads and the result dtype. Sizes come from the
 * uniform `p`: m, n, k; the batch axes (left-padded with 1s) and each operand's element strides
 * over them, zero where it broadcasts. Each workgroup stages TILE x TILE blocks of both operands in
 * workgroup memory; each invocation accumulates a PER x PER block of outputs in registers
 * (unrolled), in f32 for float results (f16-stored operands too).
 */
export function matmulSource(a: MatmulOperand, b: MatmulOperand, out: Node): string {
  const t = wgslType(out.dtype);
  const perThread = (TILE * TILE) / (THREADS * THREADS);
  const batchAt = (strides: string) =>
    range(BATCH_AXES)
      .map((d) => `bc[${d}] * p.${strides}[${d}]`)
      .join(' + ');
  const enableF16 = a.half === 'f16' || b.half === 'f16' ? 'enable f16;\n' : '';
  const elements = [a, b].map((x) => (x.half ? halfElement(x.half) : undefined));
  return `${enableF16}${bindings([a.node.dtype, b.node.dtype], out.dtype, elements)}
struct Params { mnk: vec4u, dims: vec4u, a_strides: vec4u, b_strides: vec4u }
@group(0) @binding(3) var<uniform> p: Params;
var<workgroup> As: array<${t}, ${TILE * TILE}>;
var<workgroup> Bs: array<${t}, ${TILE * TILE}>;
@compute @workgroup_size(${THREADS}, ${THREADS}, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let m = p.mnk.x;
  let n = p.mnk.y;
  let k = p.mnk.z;
  var bc: array<u32, ${BATCH_AXES}>;
  var z = wid.z;
  for (var d = ${BATCH_AXES - 1}; d >= 0; d--) { bc[d] = z % p.dims[d]; z = z / p.dims[d]; }
  let aBase = ${batchAt('a_strides')};
  let bBase = ${batchAt('b_strides')};
  let yBase = wid.z * m * n;
  let row0 = wid.y * ${TILE}u;
  let col0 = wid.x * ${TILE}u;
  let tid = lid.y * ${THREADS}u + lid.x;
  ${range(PER * PER)
    .map((e) => `var acc${e} = ${t}(0);`)
    .join(' ')}
  for (var k0 = 0u; k0 < k; k0 += ${TILE}u) {
    for (var l = 0u; l < ${perThread}u; l++) {
      let e = tid + l * ${THREADS * THREADS}u;
      ${tileLoads(a, b, t)}
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${TILE}u; kk++) {
      ${range(PER)
        .map((i) => `let a${i} = As[(lid.y * ${PER}u + ${i}u) * ${TILE}u + kk];`)
        .join(' ')}
      ${range(PER)
        .map((j) => `let b${j} = Bs[kk * ${TILE}u + lid.x * ${PER}u + ${j}u];`)
        .join(' ')}
      ${range(PER * PER)
        .map((e) => `acc${e} += a${Math.floor(e / PER)} * b${e % PER};`)
        .join(' ')}
    }
    workgroupBarrier();
  }
  ${range(PER * PER)
    .map((e) => {
      const row = `row0 + lid.y * ${PER}u + ${Math.floor(e / PER)}u`;
      const col = `col0 + lid.x * ${PER}u + ${e % PER}u`;
      return `if (${row} < m && ${col} < n) { y[yBase + (${row}) * n + ${col}] = ${stored(out.dtype, `acc${e}`)}; }`;
    })
    .join('\n  ')}
}
`;
}

/** The batch axes left-padded to BATCH_AXES, and `x`'s element strides over them. */
function batchStrides(batch: Shape, x: Node): number[] {
  const [rows, cols] = x.shape.slice(-2);
  const matrix = rows * cols;
  const strides = broadcastStrides(batch, x.shape.slice(0, -2)).map((s) => s * matrix);
  return [...Array(BATCH_AXES - batch.length).fill(0), ...strides];
}

/**
 * Batched [.., m, k] @ [.., k, n]; the batch is the grid's z dimension. A transposed operand's
 * node holds the matrix with its last two axes swapped (same batch axes, same matrix size).
 */
export function matmulKernel(node: Node, a: MatmulOperand, b: MatmulOperand): Kernel {
  const [m, n] = node.shape.slice(-2);
  const k = a.node.shape[a.node.shape.length - (a.transposed ? 2 : 1)];
  const batch = node.shape.slice(0, -2);
  if (batch.length > BATCH_AXES) {
    throw new UserError(
      `webgpu backend: matmul (node %${node.id}) has ${batch.length} batch axes; its kernel takes at most ${BATCH_AXES}`,
    );
  }
  const dims = [...Array(BATCH_AXES - batch.length).fill(1), ...batch];
  return {
    source: matmulSource(a, b, node),
    inputs: [a.node.id, b.node.id],
    workgroups: [Math.ceil(n / TILE), Math.ceil(m / TILE), sizeOf(batch)],
    workgroupBytes: 2 * TILE * TILE * 4,
    invocations: THREADS * THREADS,
    params: Uint32Array.from([
      m,
      n,
      k,
      0,
      ...dims,
      ...batchStrides(batch, a.node),
      ...batchStrides(batch, b.node),
    ]),
  };
}

export const matmul: Lowering<'matmul'> = (node, [a, b]) => [
  matmulKernel(node, { node: a }, { node: b }),
];
