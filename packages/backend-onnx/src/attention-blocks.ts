import type { AttentionAttrs, Node } from '@tunekit/core';
import { ONNX_DTYPE } from './onnx-dtype.js';
import type { OnnxGraph } from './onnx-graph.js';
import { valueInfo } from './onnx-graph.js';

// `flash_attention` and its backward as ONNX Loops over blocks of query rows. Each iteration holds
// the scores of its rows against the keys they may see, [B, Hq, rows, <= Tk], so memory grows with
// Tk, not Tq * Tk; the Loop keeps onnxruntime from materialising all blocks at once or merging the
// backward's recomputed scores with the forward's. A block holds whole rows, so the forward's
// softmax needs no rescaling across blocks; the backward reads p = exp(s - lse) from the saved lse.
// Under causality a block sees only keys up to its last row, so the blocks skip the future.
// When every row fits one block (short sequences), the block's nodes go inline, without a Loop.

/** Elements of one block's scores that an iteration may hold: 4M (16 MB in f32). */
const BLOCK_SCORES = 1 << 22;
const NEG_INF = Number.NEGATIVE_INFINITY;

interface Plan {
  readonly b: number;
  readonly hq: number;
  readonly hkv: number;
  readonly group: number;
  readonly tq: number;
  readonly tk: number;
  readonly d: number;
  /** Query rows per block, and blocks: rows * blocks >= Tq (q is zero-padded to that). */
  readonly rows: number;
  readonly blocks: number;
  readonly attrs: AttentionAttrs;
  /** The mask's shape as rank 4, and whether it is boolean. */
  readonly mask?: { readonly shape: readonly number[]; readonly bool: boolean };
}

function planOf(attrs: AttentionAttrs, [q, k, , mask]: readonly Node[]): Plan {
  const [b, hq, tq, d] = q.shape;
  const [, hkv, tk] = k.shape;
  const perRow = b * hq * tk;
  const rows =
    perRow * tq <= BLOCK_SCORES
      ? tq
      : Math.max(16, 2 ** Math.floor(Math.log2(BLOCK_SCORES / perRow)));
  const plan = {
    b,
    hq,
    hkv,
    group: hq / hkv,
    tq,
    tk,
    d,
    rows,
    blocks: Math.ceil(tq / rows),
    attrs,
  };
  if (!mask) return plan;
  const shape = [...Array(4 - mask.shape.length).fill(1), ...mask.shape];
  return { ...plan, mask: { shape, bool: mask.dtype === 'bool' } };
}

/** Rows [Tq, rows * blocks) of axis 2 padded (zeros; `false` for a boolean mask). */
function padRows(g: OnnxGraph, x: string, p: Plan): string {
  const extra = p.rows * p.blocks - p.tq;
  return extra === 0 ? x : g.node('Pad', [x, g.int64s([0, 0, 0, 0, 0, 0, extra, 0])]);
}

/** A mask as rank 4, its rows padded when it has one per query. */
function prepareMask(g: OnnxGraph, mask: string, p: Plan): string {
  const shape = p.mask?.shape ?? [];
  const m = g.node('Reshape', [mask, g.int64s(shape)]);
  return shape[2] > 1 ? padRows(g, m, p) : m;
}

/** One block's first row (an i64 scalar) and what it derives: its rows, and the keys they see. */
interface Block {
  readonly g: OnnxGraph;
  /** i64 [1]: the first row and one past the last. */
  readonly r0: string;
  readonly r1: string;
  /** i64 [1]: one past the last key any of its rows may see; undefined: all Tk. */
  readonly end?: string;
}

function blockAt(g: OnnxGraph, p: Plan, first: string): Block {
  const i64 = (n: number) => g.constant('i64', [1], [n]);
  const r0 = g.node('Reshape', [first, g.int64s([1])]);
  const r1 = g.node('Add', [r0, i64(p.rows)]);
  if (!p.attrs.causal || p.blocks === 1) return { g, r0, r1 };
  return { g, r0, r1, end: g.node('Min', [g.node('Add', [r1, i64(p.tk - p.tq)]), i64(p.tk)]) };
}

/** Rows [r0, r1) of axis `axis` (all of them with one block). */
function rowsOf(blk: Block, p: Plan, x: string, axis = 2): string {
  if (p.blocks === 1) return x;
  return blk.g.node('Slice', [x, blk.r0, blk.r1, blk.g.int64s([axis])]);
}

/** Keys [0, end) of axis `axis`. */
function keysOf(blk: Block, x: string, axis = 2): string {
  if (!blk.end) return x;
  return blk.g.node('Slice', [x, blk.g.int64s([0]), blk.end, blk.g.int64s([axis])]);
}

const transposeLast = (g: OnnxGraph, x: string) => g.node('Transpose', [x], { perm: [0, 1, 3, 2] });

/**
 * The block's scores [B, Hq, rows, keys] with hidden keys at -inf, its queries grouped under
 * their kv head ([B, Hkv, group * rows, D]: head h = kv * group + g, a plain reshape) and its keys
 * and values.
 */
function blockScores(blk: Block, p: Plan, q: string, k: string, v: string, mask?: string) {
  const { g } = blk;
  const f32 = (x: number) => g.constant('f32', [], [x]);
  const qg = g.node('Reshape', [rowsOf(blk, p, q), g.int64s([p.b, p.hkv, p.group * p.rows, p.d])]);
  const [kb, vb] = [keysOf(blk, k), keysOf(blk, v)];
  const qk = g.node('MatMul', [qg, transposeLast(g, kb)]);
  let s = g.node('Reshape', [
    g.node('Mul', [qk, f32(p.attrs.scale)]),
    g.int64s([p.b, p.hq, p.rows, -1]),
  ]);
  if (mask && p.mask) {
    let m = p.mask.shape[2] > 1 ? rowsOf(blk, p, mask) : mask;
    if (p.mask.shape[3] > 1) m = keysOf(blk, m, 3);
    if (p.mask.bool) m = g.node('Where', [m, f32(0), f32(NEG_INF)]);
    s = g.node('Add', [s, m]);
  }
  if (p.attrs.causal) {
    // key j is in row i's future when j > i + (Tk - Tq)
    const scalar = (x: string) => g.node('Squeeze', [x, g.int64s([0])]);
    const i64 = (n: number) => g.constant('i64', [], [n]);
    const seen = g.node('Add', [scalar(blk.r0), i64(p.tk - p.tq)]);
    const rows = g.node('Range', [seen, g.node('Add', [seen, i64(p.rows)]), i64(1)]);
    const keys = g.node('Range', [i64(0), blk.end ? scalar(blk.end) : i64(p.tk), i64(1)]);
    const future = g.node('Greater', [keys, g.node('Unsqueeze', [rows, g.int64s([1])])]);
    s = g.node('Where', [future, f32(NEG_INF), s]);
  }
  return { s, qg, kb, vb };
}

/**
 * A Loop of `trips` iterations: `body` gets the iteration's first row (i64 scalar) and the carried
 * values, and returns the next carried values and the per-iteration (scan) outputs. Returns the
 * final carried values, then the scans stacked on a new axis 0.
 */
function loop(
  g: OnnxGraph,
  p: Plan,
  initial: readonly string[],
  body: (blk: Block, carried: readonly string[]) => { carried: string[]; scans: string[] },
): string[] {
  const sub = g.subgraph();
  const [iter, condIn] = [sub.fresh('iter'), sub.fresh('cond')];
  const carriedIn = initial.map(() => sub.fresh('carry'));
  const first = sub.node('Mul', [iter, g.constant('i64', [], [p.rows])]);
  const out = body(blockAt(sub, p, first), carriedIn);
  const condOut = sub.node('Identity', [condIn]);
  const carriedShape = [p.b, p.hkv, p.tk, p.d];
  const typed = (name: string, elemType: number) => ({ name, type: { tensorType: { elemType } } });
  const graph = {
    name: sub.fresh('body'),
    node: sub.nodes,
    input: [
      valueInfo(iter, 'i64', []),
      valueInfo(condIn, 'bool', []),
      ...carriedIn.map((n) => valueInfo(n, 'f32', carriedShape)),
    ],
    output: [
      typed(condOut, ONNX_DTYPE.bool),
      ...[...out.carried, ...out.scans].map((n) => typed(n, ONNX_DTYPE.f32)),
    ],
  };
  const trips = g.constant('i64', [], [p.blocks]);
  return g.nodeWithOutputs('Loop', [trips, '', ...initial], initial.length + out.scans.length, {
    body: { graph },
  });
}

/** Scans [blocks, B, H, rows, ...] -> [B, H, Tq, ...]: the blocks' rows in order, padding cut. */
function unstack(
  g: OnnxGraph,
  p: Plan,
  scan: string,
  lead: readonly number[],
  last: number,
): string {
  const rank = lead.length + 3;
  const perm = [...lead.keys()].map((i) => i + 1);
  const moved = g.node('Transpose', [scan], { perm: [...perm, 0, rank - 2, rank - 1] });
  const rows = g.node('Reshape', [moved, g.int64s([...lead, p.rows * p.blocks, last])]);
  if (p.rows * p.blocks === p.tq) return rows;
  const axis = lead.length;
  return g.node('Slice', [rows, g.int64s([0]), g.int64s([p.tq]), g.int64s([axis])]);
}

/** flash_attention (q, k, v, mask?) -> [B, Hq, Tq, D + 1]: y and lse, one block of rows at a time. */
export function lowerFlashAttention(
  g: OnnxGraph,
  [q, k, v, mask]: readonly string[],
  node: Node<'flash_attention'>,
  inputs: readonly Node[],
): string {
  const p = planOf(node.attrs, inputs);
  const [qp, m] = [padRows(g, q, p), mask && prepareMask(g, mask, p)];
  const block = (blk: Block) => {
    const bg = blk.g;
    const f32 = (x: number) => bg.constant('f32', [], [x]);
    const { s, vb } = blockScores(blk, p, qp, k, v, m);
    // a row that sees no key (its max is -inf) gives y = 0 and lse = +inf
    const max = bg.node('ReduceMax', [s, bg.int64s([-1])], { keepdims: 1 });
    const hidden = bg.node('Equal', [max, f32(NEG_INF)]);
    const shift = bg.node('Where', [hidden, f32(0), max]);
    const e = bg.node('Exp', [bg.node('Sub', [s, shift])]);
    const sum = bg.node('ReduceSum', [e, bg.int64s([-1])], { keepdims: 1 });
    const probs = bg.node('Div', [e, bg.node('Where', [hidden, f32(1), sum])]);
    const grouped = bg.node('Reshape', [probs, bg.int64s([p.b, p.hkv, p.group * p.rows, -1])]);
    const y = bg.node('MatMul', [grouped, vb]);
    const lse = bg.node('Where', [
      hidden,
      f32(Number.POSITIVE_INFINITY),
      bg.node('Add', [shift, bg.node('Log', [sum])]),
    ]);
    const yRows = bg.node('Reshape', [y, bg.int64s([p.b, p.hq, p.rows, p.d])]);
    return bg.node('Concat', [yRows, lse], { axis: -1 });
  };
  if (p.blocks === 1) return block(blockAt(g, p, g.constant('i64', [], [0])));
  const [scan] = loop(g, p, [], (blk) => ({ carried: [], scans: [block(blk)] }));
  return unstack(g, p, scan, [p.b, p.hq], p.d + 1);
}

/**
 * flash_attention_backward (q, k, v, out, dout, mask?) -> dq, dk, dv packed on axis 2. dq is a
 * scan output of the loop; dk and dv are carried and accumulate each block's share (zero-padded
 * from the keys the block sees to all Tk).
 */
export function lowerFlashAttentionBackward(
  g: OnnxGraph,
  [q, k, v, out, dout, mask]: readonly string[],
  node: Node<'flash_attention_backward'>,
  inputs: readonly Node[],
): string {
  const p = planOf(node.attrs, [inputs[0], inputs[1], inputs[2], inputs[5]]);
  const [qp, outp, doutp] = [q, out, dout].map((x) => padRows(g, x, p));
  const m = mask && prepareMask(g, mask, p);
  const block = (blk: Block) => {
    const bg = blk.g;
    const cols = (x: string, from: number, to: number) =>
      bg.node('Slice', [x, bg.int64s([from]), bg.int64s([to]), bg.int64s([3])]);
    const grouped = (x: string) =>
      bg.node('Reshape', [x, bg.int64s([p.b, p.hkv, p.group * p.rows, -1])]);
    const { s, qg, kb, vb } = blockScores(blk, p, qp, k, v, m);
    const [o, dO] = [rowsOf(blk, p, outp), rowsOf(blk, p, doutp)];
    const [y, lse, dy, dlse] = [
      cols(o, 0, p.d),
      cols(o, p.d, p.d + 1),
      cols(dO, 0, p.d),
      cols(dO, p.d, p.d + 1),
    ];
    const probs = bg.node('Exp', [bg.node('Sub', [s, lse])]);
    const dyDotY = bg.node('ReduceSum', [bg.node('Mul', [dy, y]), bg.int64s([-1])], {
      keepdims: 1,
    });
    const delta = bg.node('Sub', [dyDotY, dlse]);
    const dyg = grouped(dy);
    const dp = bg.node('Reshape', [
      bg.node('MatMul', [dyg, transposeLast(bg, vb)]),
      bg.int64s([p.b, p.hq, p.rows, -1]),
    ]);
    const ds = bg.node('Mul', [
      bg.node('Mul', [probs, bg.node('Sub', [dp, delta])]),
      bg.constant('f32', [], [p.attrs.scale]),
    ]);
    const dsg = grouped(ds);
    const dq = bg.node('MatMul', [dsg, kb]);
    let dk = bg.node('MatMul', [transposeLast(bg, dsg), qg]);
    let dv = bg.node('MatMul', [transposeLast(bg, grouped(probs)), dyg]);
    if (blk.end) {
      const rest = bg.node('Sub', [bg.constant('i64', [1], [p.tk]), blk.end]);
      const pads = bg.node('Concat', [bg.int64s([0, 0, 0, 0, 0, 0]), rest, bg.int64s([0])], {
        axis: 0,
      });
      [dk, dv] = [bg.node('Pad', [dk, pads]), bg.node('Pad', [dv, pads])];
    }
    return { dq, dk, dv };
  };
  if (p.blocks === 1) {
    const r = block(blockAt(g, p, g.constant('i64', [], [0])));
    return g.node('Concat', [r.dq, r.dk, r.dv], { axis: 2 });
  }
  const zeros = g.node('Expand', [g.constant('f32', [], [0]), g.int64s([p.b, p.hkv, p.tk, p.d])]);
  const [dk, dv, dqScan] = loop(g, p, [zeros, zeros], (blk, [dkIn, dvIn]) => {
    const r = block(blk);
    return {
      carried: [blk.g.node('Add', [dkIn, r.dk]), blk.g.node('Add', [dvIn, r.dv])],
      scans: [r.dq],
    };
  });
  // dq scans [blocks, B, Hkv, group * rows, D]: split each block's rows by query head first
  const split = g.node('Reshape', [dqScan, g.int64s([p.blocks, p.b, p.hkv, p.group, p.rows, p.d])]);
  const dq = g.node('Reshape', [
    unstack(g, p, split, [p.b, p.hkv, p.group], p.d),
    g.int64s([p.b, p.hkv, p.group * p.tq, p.d]),
  ]);
  return g.node('Concat', [dq, dk, dv], { axis: 2 });
}
