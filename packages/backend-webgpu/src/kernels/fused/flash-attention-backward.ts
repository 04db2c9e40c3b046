import type { Node } from '@tunekit/core';
import type { Kernel, Lowering } from '../kernel.js';
import { bindings, stored } from '../wgsl.js';
import {
  attentionHeader,
  attentionSizes,
  keyTileWalk,
  overD,
  queryRowLets,
  ROWS,
  scaleLiteral,
  tileRows,
} from './attention-tiles.js';

// FlashAttention's backward from the saved log-sum-exp: p = exp(s - lse) is recomputed per tile,
// never the [Tq, Tk] of a head at once. With dp = dy v^T and delta = rowsum(dy * y) - dlse,
// ds = p (dp - delta) * scale; dq = ds k, dk = ds^T q, dv = p^T dy. Two dispatches write the
// packed output [B, Hkv, group * Tq + 2 Tk, D]: one per query row (dq, over key tiles), one per key
// row (dk and dv, over the query tiles of every query head of its kv head). Inputs: q, k, v,
// out = (y, lse), dout = (dy, dlse), mask?.

/** The shader head both dispatches share: bindings, the uniform, the mask reader. */
function head(node: Node<'flash_attention_backward'>, inputs: readonly Node[]) {
  const [q, k] = inputs;
  const header = attentionHeader({
    q,
    k,
    mask: inputs[5],
    causal: node.attrs.causal,
    maskVar: 'x5',
    binding: inputs.length + 1,
  });
  const decl = `${bindings(
    inputs.map((i) => i.dtype),
    node.dtype,
  )}${header.decl}`;
  return { decl, lets: header.lets, params: header.params };
}

/** dq: a workgroup per ROWS queries of a head, each invocation one query, over tiles of k and v. */
function dqKernel(node: Node<'flash_attention_backward'>, inputs: readonly Node[]): Kernel {
  const [q, k] = inputs;
  const { b, hq, tq, d } = attentionSizes(q, k);
  const tile = tileRows(d, 2);
  const { decl, lets, params } = head(node, inputs);
  const source = `${decl}var<workgroup> kt: array<f32, ${tile * d}>;
var<workgroup> vt: array<f32, ${tile * d}>;
var<private> qr: array<f32, ${d}>;
var<private> dyr: array<f32, ${d}>;
var<private> dq: array<f32, ${d}>;
var<private> lse = 0.0;
var<private> delta = 0.0;
// adds the keys j0 .. j0 + n - 1 (in kt, vt) to dq of query i of head h
fn dq_step(bi: u32, h: u32, i: u32, j0: u32, n: u32) {
  for (var j = 0u; j < n; j++) {
    let mk = mask_at(bi, h, i, j0 + j);
    if (mk.hidden) { continue; }
    var dot = 0.0;
    var dp = 0.0;
    ${overD(d, `dot += qr[c] * kt[j * ${d}u + c]; dp += dyr[c] * vt[j * ${d}u + c];`)}
    let p = exp(dot * ${scaleLiteral(node.attrs.scale)} + mk.add - lse);
    let ds = p * (dp - delta) * ${scaleLiteral(node.attrs.scale)};
    ${overD(d, `dq[c] += ds * kt[j * ${d}u + c];`)}
  }
}
@compute @workgroup_size(${ROWS})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) t: u32) {
  ${lets}
  ${queryRowLets(d)}
  let o = row * ${d + 1}u;
  lse = x3[o + ${d}u];
  // a query that saw no key (lse = +inf) has p = 0 everywhere
  let live = i < tq && bitcast<u32>(lse) != 0x7f800000u;
  delta = -x4[o + ${d}u];
  ${overD(d, `qr[c] = x0[row * ${d}u + c]; dyr[c] = x4[o + c]; delta += dyr[c] * x3[o + c];`)}
  ${keyTileWalk(d, tile, node.attrs.causal, 'dq_step(bi, h, i, j0, n);')}
  if (i >= tq) { return; }
  let at = ((bi * hkv + h / group) * (group * tq + 2u * tk) + (h % group) * tq + i) * ${d}u;
  ${overD(d, `y[at + c] = ${stored(node.dtype, 'dq[c]')};`)}
}
`;
  return {
    source,
    inputs: inputs.map((i) => i.id),
    workgroups: [Math.ceil(tq / ROWS), b * hq, 1],
    workgroupBytes: 2 * tile * d * 4,
    invocations: ROWS,
    params,
  };
}

/**
 * dk and dv: a workgroup per ROWS keys of a kv head, each invocation one key, over tiles of q and
 * dy (with each query's lse and delta) of every query head in the kv head's group.
 */
function dkdvKernel(node: Node<'flash_attention_backward'>, inputs: readonly Node[]): Kernel {
  const [q, k] = inputs;
  const { b, hkv, tk, d } = attentionSizes(q, k);
  const tile = tileRows(d + 1, 2);
  const { decl, lets, params } = head(node, inputs);
  const scale = scaleLiteral(node.attrs.scale);
  const source = `${decl}var<workgroup> qt: array<f32, ${tile * d}>;
var<workgroup> dyt: array<f32, ${tile * d}>;
var<workgroup> lse_t: array<f32, ${tile}>;
var<workgroup> delta_t: array<f32, ${tile}>;
var<private> kr: array<f32, ${d}>;
var<private> vr: array<f32, ${d}>;
var<private> dk: array<f32, ${d}>;
var<private> dv: array<f32, ${d}>;
// adds the queries i0 .. i0 + n - 1 of head h (in qt, dyt, lse_t, delta_t) to dk and dv of key j
fn dkdv_step(bi: u32, h: u32, j: u32, i0: u32, n: u32) {
  for (var r = 0u; r < n; r++) {
    let mk = mask_at(bi, h, i0 + r, j);
    if (mk.hidden || bitcast<u32>(lse_t[r]) == 0x7f800000u) { continue; }
    var dot = 0.0;
    var dp = 0.0;
    ${overD(d, `dot += qt[r * ${d}u + c] * kr[c]; dp += dyt[r * ${d}u + c] * vr[c];`)}
    let p = exp(dot * ${scale} + mk.add - lse_t[r]);
    let ds = p * (dp - delta_t[r]) * ${scale};
    ${overD(d, `dv[c] += p * dyt[r * ${d}u + c]; dk[c] += ds * qt[r * ${d}u + c];`)}
  }
}
@compute @workgroup_size(${ROWS})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) t: u32) {
  ${lets}
  let bk = wid.y;
  let bi = bk / (hq / group);
  let j = wid.x * ${ROWS}u + t;
  let live = j < tk;
  let key = (bk * tk + min(j, tk - 1u)) * ${d}u;
  ${overD(d, 'kr[c] = x1[key + c]; vr[c] = x2[key + c];')}
  // with causal, query i sees key j iff i >= j - (tk - tq): the first queries see none of the block
  var first = 0u;
  ${node.attrs.causal ? `first = max(wid.x * ${ROWS}u + tq, tk) - tk;` : ''}
  for (var g = 0u; g < group; g++) {
    let h = (bk % (hq / group)) * group + g;
    let bh = bi * hq + h;
    for (var i0 = first; i0 < tq; i0 += ${tile}u) {
      let n = min(${tile}u, tq - i0);
      workgroupBarrier();
      for (var e = t; e < n * ${d}u; e += ${ROWS}u) {
        let o = (bh * tq + i0 + e / ${d}u) * ${d + 1}u + e % ${d}u;
        qt[e] = x0[(bh * tq + i0) * ${d}u + e];
        dyt[e] = x4[o];
      }
      for (var r = t; r < n; r += ${ROWS}u) {
        let o = (bh * tq + i0 + r) * ${d + 1}u;
        lse_t[r] = x3[o + ${d}u];
        var dl = -x4[o + ${d}u];
        ${overD(d, 'dl += x4[o + c] * x3[o + c];')}
        delta_t[r] = dl;
      }
      workgroupBarrier();
      if (live) { dkdv_step(bi, h, j, i0, n); }
    }
  }
  if (!live) { return; }
  let at = (bk * (group * tq + 2u * tk) + group * tq + j) * ${d}u;
  ${overD(d, `y[at + c] = ${stored(node.dtype, 'dk[c]')}; y[at + tk * ${d}u + c] = ${stored(node.dtype, 'dv[c]')};`)}
}
`;
  return {
    source,
    inputs: inputs.map((i) => i.id),
    workgroups: [Math.ceil(tk / ROWS), b * hkv, 1],
    workgroupBytes: 2 * tile * (d + 1) * 4,
    invocations: ROWS,
    params,
  };
}

export const flashAttentionBackward: Lowering<'flash_attention_backward'> = (node, inputs) => [
  dqKernel(node, inputs),
  dkdvKernel(node, inputs),
];
