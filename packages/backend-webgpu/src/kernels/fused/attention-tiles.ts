import type { Node } from '@tunekit/core';
import { broadcastStrides, literal, padParams, param, paramsDecl } from '../wgsl.js';

// What the flash-attention kernels share: the sizes they read from the uniform (so a KV cache that
// grows by one key per token reuses one pipeline), the mask as a reader of the scores [B, Hq, Tq,
// Tk], and how many rows one tile of workgroup memory holds.

/** Invocations per workgroup: each owns one query row (forward, dq) or one key row (dk, dv). */
export const ROWS = 64;

/** Bytes of workgroup memory a tile pair may take: within compatibility adapters' 16 KiB. */
const TILE_BYTES = 16384;

/** Rows per tile (a power of two, at most 32) such that `tiles` tiles of rows of `width` f32 fit. */
export function tileRows(width: number, tiles: number): number {
  let rows = 32;
  while (rows > 1 && tiles * rows * width * 4 > TILE_BYTES) rows /= 2;
  return rows;
}

/** The attention's sizes from its inputs: q [B, Hq, Tq, D], k [B, Hkv, Tk, D]. */
export function attentionSizes(q: Node, k: Node) {
  const [b, hq, tq, d] = q.shape;
  const [, hkv, tk] = k.shape;
  return { b, hq, hkv, tq, tk, d, group: hq / hkv };
}

/**
 * The uniform (tq, tk, hq, group, then the mask's strides over [B, Hq, Tq, Tk], 0 where it
 * broadcasts) and the WGSL that reads it: `let`s of tq, tk, hq, group and `fn mask_at(b, h, i, j)`,
 * which gives the mask's additive value and whether key j is hidden from query i (by the mask or,
 * with `causal`, by lying in its future: j > i + tk - tq).
 */
export function attentionHeader(opts: {
  readonly q: Node;
  readonly k: Node;
  readonly mask: Node | undefined;
  readonly causal: boolean;
  /** The mask's storage binding (x3 in the forward, x5 in the backward). */
  readonly maskVar: string;
  readonly binding: number;
}): { decl: string; lets: string; params: Uint32Array } {
  const { q, k, mask, causal } = opts;
  const { b, hq, tq, tk, group } = attentionSizes(q, k);
  const strides = mask ? broadcastStrides([b, hq, tq, tk], mask.shape) : [0, 0, 0, 0];
  const at = `b * ${param(4)} + h * ${param(5)} + i * ${param(6)} + j * ${param(7)}`;
  const future = causal ? 'j + tq > i + tk' : 'false';
  const NEG_INF = 0xff800000;
  // an additive mask hides a key with -inf (compared by its bits: infinities are not relied on)
  const read =
    mask === undefined
      ? `return Masked(0.0, ${future});`
      : mask.dtype === 'bool'
        ? `return Masked(0.0, ${future} || ${opts.maskVar}[${at}] == 0u);`
        : `let m = ${opts.maskVar}[${at}];
  return Masked(m, ${future} || bitcast<u32>(m) == ${NEG_INF}u);`;
  const decl = `${paramsDecl(8, opts.binding)}struct Masked { add: f32, hidden: bool }
fn mask_at(b: u32, h: u32, i: u32, j: u32) -> Masked {
  let tq = ${param(0)};
  let tk = ${param(1)};
  ${read}
}
`;
  const lets = `let tq = ${param(0)};
  let tk = ${param(1)};
  let hq = ${param(2)};
  let group = ${param(3)};`;
  return { decl, lets, params: padParams([tq, tk, hq, group, ...strides]) };
}

/** The softmax scale as an exact f32 literal. */
export const scaleLiteral = (scale: number) => literal('f32', scale);

/** `for c in 0..D` as WGSL, for per-row loops over the head dimension. */
export const overD = (d: number, body: string) => `for (var c = 0u; c < ${d}u; c++) { ${body} }`;

/**
 * The index arithmetic of a kernel with a workgroup per ROWS queries of one head (the forward, dq):
 * `let`s of the batch bi and head h of workgroup y, the kv head's offset kv into k and v, the
 * invocation's query i and its row of q (clamped, so a query past tq reads a valid row).
 */
export const queryRowLets = (d: number) => `let bh = wid.y;
  let bi = bh / hq;
  let h = bh % hq;
  let hkv = hq / group;
  let kv = (bi * hkv + h / group) * tk * ${d}u;
  let i = wid.x * ${ROWS}u + t;
  let row = bh * tq + min(i, tq - 1u);`;

/**
 * The walk of those kernels over the keys a tile at a time: each tile of k and v is loaded into
 * workgroup memory (kt, vt of `tile` rows) by all invocations, then `step` (WGSL, with the tile's
 * first key j0 and its length n) runs for a live query. With `causal`, the walk stops at the last
 * key the workgroup's last query sees.
 */
export function keyTileWalk(d: number, tile: number, causal: boolean, step: string): string {
  return `var keys = tk;
  ${causal ? `keys = min(tk, min(tq, wid.x * ${ROWS}u + ${ROWS}u) + tk - tq);` : ''}
  for (var j0 = 0u; j0 < keys; j0 += ${tile}u) {
    let n = min(${tile}u, keys - j0);
    workgroupBarrier();
    for (var e = t; e < n * ${d}u; e += ${ROWS}u) {
      kt[e] = x1[kv + j0 * ${d}u + e];
      vt[e] = x2[kv + j0 * ${d}u + e];
    }
    workgroupBarrier();
    // inside \`if\`, not after a \`continue\`: the next barrier stays in uniform control flow
    if (live) { ${step} }
  }`;
}
