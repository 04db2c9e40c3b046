import type { Lowering } from '../kernel.js';
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

/**
 * FlashAttention's forward (Dao et al. 2022): a workgroup takes ROWS queries of one head, each
 * invocation one query with its q row and output accumulator in registers, and walks the keys a
 * tile at a time (k and v tiles in workgroup memory), keeping the running max m, the running sum
 * l of exp(s - m) and acc = sum exp(s - m) v; a new tile's max rescales both by exp(m - m_new).
 * Writes y = acc / l and lse = m + log l packed as [.., D + 1]; a query that sees no key gets
 * y = 0 and lse = +inf, as core's reference. With `causal`, the walk stops at the last key the
 * workgroup's last query sees.
 */
export const flashAttention: Lowering<'flash_attention'> = (node, inputs) => {
  const [q, k, , mask] = inputs;
  const { b, hq, tq, d } = attentionSizes(q, k);
  const { scale, causal } = node.attrs;
  const tile = tileRows(d, 2);
  const header = attentionHeader({ q, k, mask, causal, maskVar: 'x3', binding: inputs.length + 1 });
  const out = (value: string) => stored(node.dtype, value);
  // the running state of the invocation's query; private, so the tile step can be a function
  const source = `${bindings(
    inputs.map((i) => i.dtype),
    node.dtype,
  )}${header.decl}var<workgroup> kt: array<f32, ${tile * d}>;
var<workgroup> vt: array<f32, ${tile * d}>;
var<private> qr: array<f32, ${d}>;
var<private> acc: array<f32, ${d}>;
var<private> m = 0.0;
var<private> l = 0.0;
var<private> seen = false;
// folds keys j0 .. j0 + n - 1 (in kt, vt) into the state of query i of head h
fn online_step(bi: u32, h: u32, i: u32, j0: u32, n: u32) {
  var s: array<f32, ${tile}>;
  var shown = 0u;
  var block_max = 0.0;
  for (var j = 0u; j < n; j++) {
    let mk = mask_at(bi, h, i, j0 + j);
    if (mk.hidden) { continue; }
    var dot = 0.0;
    ${overD(d, `dot += qr[c] * kt[j * ${d}u + c];`)}
    s[j] = dot * ${scaleLiteral(scale)} + mk.add;
    block_max = select(s[j], max(block_max, s[j]), shown != 0u);
    shown |= 1u << j;
  }
  if (shown == 0u) { return; }
  let m_new = select(block_max, max(m, block_max), seen);
  let alpha = select(0.0, exp(m - m_new), seen);
  l *= alpha;
  ${overD(d, 'acc[c] *= alpha;')}
  for (var j = 0u; j < n; j++) {
    if ((shown & (1u << j)) == 0u) { continue; }
    let pj = exp(s[j] - m_new);
    l += pj;
    ${overD(d, `acc[c] += pj * vt[j * ${d}u + c];`)}
  }
  m = m_new;
  seen = true;
}
@compute @workgroup_size(${ROWS})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) t: u32) {
  ${header.lets}
  ${queryRowLets(d)}
  let live = i < tq;
  ${overD(d, `qr[c] = x0[row * ${d}u + c];`)}
  ${keyTileWalk(d, tile, causal, 'online_step(bi, h, i, j0, n);')}
  if (!live) { return; }
  let o = row * ${d + 1}u;
  if (!seen) {
    ${overD(d, 'y[o + c] = 0.0;')}
    y[o + ${d}u] = bits_f32(0x7f800000u);
    return;
  }
  ${overD(d, `y[o + c] = ${out('acc[c] / l')};`)}
  y[o + ${d}u] = ${out('m + log(l)')};
}
`;
  return [
    {
      source,
      inputs: inputs.map((i) => i.id),
      workgroups: [Math.ceil(tq / ROWS), b * hq, 1],
      workgroupBytes: 2 * tile * d * 4,
      invocations: ROWS,
      params: header.params,
    },
  ];
};
