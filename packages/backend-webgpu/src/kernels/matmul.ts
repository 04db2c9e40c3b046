import { type Node, type Shape, sizeOf } from '@tunekit/core';
import type { Kernel, Lowering } from './kernel.js';
import { bindings, broadcastStrides, coords, offset, stored, wgslType } from './wgsl.js';

/** Output tile per workgroup (TILE x TILE), K step, and outputs per invocation (PER x PER). */
const TILE = 32;
const PER = 4;
const THREADS = TILE / PER; // per side: 8 x 8 = 64 invocations, within compatibility limits

/** The batch offset of operand `x` for batch index `b`, its batch axes broadcast to `batch`. */
function batchOffset(batch: Shape, x: Node, name: string): string {
  const matrix = x.shape.at(-1)! * x.shape.at(-2)!;
  const strides = broadcastStrides(batch, x.shape.slice(0, -2)).map((s) => s * matrix);
  return `let ${name} = ${offset(strides, 0, 'b')};`;
}

/**
 * Batched [.., m, k] @ [.., k, n], tiled: each workgroup stages TILE x TILE blocks of both
 * operands in workgroup memory and each invocation accumulates a PER x PER block of outputs in
 * registers. The batch is the grid's z dimension; batch axes broadcast by zero strides.
 */
export function matmulKernel(node: Node, a: Node, b: Node): Kernel {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape.at(-1)!;
  const batch = node.shape.slice(0, -2);
  const t = wgslType(node.dtype);
  const perThread = (TILE * TILE) / (THREADS * THREADS);
  const source = `${bindings([a.dtype, b.dtype], node.dtype)}
var<workgroup> As: array<${t}, ${TILE * TILE}>;
var<workgroup> Bs: array<${t}, ${TILE * TILE}>;
@compute @workgroup_size(${THREADS}, ${THREADS}, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  ${coords(batch, 'wid.z', 'b')}
  ${batchOffset(batch, a, 'aBase')}
  ${batchOffset(batch, b, 'bBase')}
  let yBase = wid.z * ${m * n}u;
  let row0 = wid.y * ${TILE}u;
  let col0 = wid.x * ${TILE}u;
  let tid = lid.y * ${THREADS}u + lid.x;
  ${range(PER * PER)
    .map((e) => `var acc${e} = ${t}(0);`)
    .join(' ')}
  for (var k0 = 0u; k0 < ${k}u; k0 += ${TILE}u) {
    for (var l = 0u; l < ${perThread}u; l++) {
      let e = tid + l * ${THREADS * THREADS}u;
      let r = e / ${TILE}u;
      let c = e % ${TILE}u;
      var av = ${t}(0);
      if (row0 + r < ${m}u && k0 + c < ${k}u) { av = x0[aBase + (row0 + r) * ${k}u + k0 + c]; }
      As[e] = av;
      var bv = ${t}(0);
      if (k0 + r < ${k}u && col0 + c < ${n}u) { bv = x1[bBase + (k0 + r) * ${n}u + col0 + c]; }
      Bs[e] = bv;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${Math.min(TILE, k)}u; kk++) {
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
      const [i, j] = [Math.floor(e / PER), e % PER];
      return `if (row0 + lid.y * ${PER}u + ${i}u < ${m}u && col0 + lid.x * ${PER}u + ${j}u < ${n}u) { y[yBase + (row0 + lid.y * ${PER}u + ${i}u) * ${n}u + col0 + lid.x * ${PER}u + ${j}u] = ${stored(node.dtype, `acc${e}`)}; }`;
    })
    .join('\n  ')}
}
`;
  return {
    source,
    inputs: [a.id, b.id],
    workgroups: [Math.ceil(n / TILE), Math.ceil(m / TILE), sizeOf(batch)],
    workgroupBytes: 2 * TILE * TILE * 4,
    invocations: THREADS * THREADS,
  };
}

const range = (n: number) => [...Array(n).keys()];

export const matmul: Lowering<'matmul'> = (node, [a, b]) => [matmulKernel(node, a, b)];
