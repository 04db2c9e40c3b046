import type { Node } from '@tunekit/core';
import { type Bias, blockBias } from './attention-bias.js';
import {
  type Block,
  blockAt,
  inlineBlock,
  keysOf,
  type Plan,
  padRows,
  planOf,
  rowsOf,
} from './attention-plan.js';
import { ONNX_DTYPE } from './onnx-dtype.js';
import type { OnnxGraph } from './onnx-graph.js';
import { valueInfo } from './onnx-graph.js';

// `flash_attention` and its backward as ONNX Loops over blocks of query rows (attention-plan.ts);
// the Loop keeps onnxruntime from materialising all blocks at once or merging the backward's
// recomputed scores with the forward's. A block holds whole rows, so its probabilities are one
// onnxruntime Softmax, and the backward recomputes them the same way (no lse needed). When every
// row fits one block (short sequences), the blocks' nodes go inline, without a Loop (causal ones
// cut in a few blocks, attention-plan.ts), and the backward's identical node chains let
// onnxruntime share the forward's probabilities.

const transposeLast = (g: OnnxGraph, x: string) => g.node('Transpose', [x], { perm: [0, 1, 3, 2] });

/**
 * The block's probabilities softmax(q k^T * scale + bias) [B, Hq, rows, keys] and the biased
 * scores they come from, its queries grouped under their kv head ([B, Hkv, group * rows, D]:
 * head h = kv * group + g, a plain reshape), its keys and values.
 */
function blockProbs(blk: Block, p: Plan, q: string, k: string, v: string, bias: Bias) {
  const { g } = blk;
  const qg = g.node('Reshape', [rowsOf(blk, p, q), g.int64s([p.b, p.hkv, p.group * p.rows, p.d])]);
  const [kb, vb] = [keysOf(blk, k), keysOf(blk, v)];
  const qk = g.node('MatMul', [qg, transposeLast(g, kb)]);
  let s = g.node('Reshape', [
    g.node('Mul', [qk, g.constant('f32', [], [p.attrs.scale])]),
    g.int64s([p.b, p.hq, p.rows, -1]),
  ]);
  if (bias.add) s = g.node('Add', [s, bias.add]);
  const probs = g.node('Softmax', [s], { axis: -1 });
  return { s, probs, qg, kb, vb };
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

/** The inline blocks, in row order. */
const inlineBlocks = (g: OnnxGraph, p: Plan) =>
  Array.from({ length: p.blocks }, (_, i) => inlineBlock(g, p, i));

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
  const qp = padRows(g, q, p);
  const block = (blk: Block) => {
    const bg = blk.g;
    const bias = blockBias(blk, p, mask);
    const { s, probs, vb } = blockProbs(blk, p, qp, k, v, bias);
    const grouped = bg.node('Reshape', [probs, bg.int64s([p.b, p.hkv, p.group * p.rows, -1])]);
    let y = bg.node('Reshape', [
      bg.node('MatMul', [grouped, vb]),
      bg.int64s([p.b, p.hq, p.rows, p.d]),
    ]);
    // lse = max(s) + log(sum exp(s - max(s))) = max(s) - log(max(p)): two reductions, no Exp
    const max = (x: string) => bg.node('ReduceMax', [x, bg.int64s([-1])], { keepdims: 1 });
    let lse = bg.node('Sub', [max(s), bg.node('Log', [max(probs)])]);
    if (bias.hidden) {
      // a row that sees no key gives y = 0 and lse = +inf
      y = bg.node('Where', [bias.hidden, bg.constant('f32', [], [0]), y]);
      lse = bg.node('Where', [
        bias.hidden,
        bg.constant('f32', [], [Number.POSITIVE_INFINITY]),
        lse,
      ]);
    }
    return bg.node('Concat', [y, lse], { axis: -1 });
  };
  if (p.inline) {
    const ys = inlineBlocks(g, p).map(block);
    return ys.length === 1 ? ys[0] : g.node('Concat', ys, { axis: 2 });
  }
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
  const block = (blk: Block) => {
    const bg = blk.g;
    const scale = bg.constant('f32', [], [p.attrs.scale]);
    const cols = (x: string, from: number, to: number) =>
      bg.node('Slice', [x, bg.int64s([from]), bg.int64s([to]), bg.int64s([3])]);
    const grouped = (x: string) =>
      bg.node('Reshape', [x, bg.int64s([p.b, p.hkv, p.group * p.rows, -1])]);
    const bias = blockBias(blk, p, mask);
    const { probs, qg, kb, vb } = blockProbs(blk, p, qp, k, v, bias);
    let dO = rowsOf(blk, p, doutp);
    // rows that see no key: their (finite, unused) probabilities get no cotangent
    if (bias.hidden) dO = bg.node('Where', [bias.hidden, bg.constant('f32', [], [0]), dO]);
    const o = rowsOf(blk, p, outp);
    const [y, dy, dlse] = [cols(o, 0, p.d), cols(dO, 0, p.d), cols(dO, p.d, p.d + 1)];
    // ds = p (dp - delta), delta = rowsum(dy * y) - dlse
    const dyDotY = bg.node('ReduceSum', [bg.node('Mul', [dy, y]), bg.int64s([-1])], {
      keepdims: 1,
    });
    const delta = bg.node('Sub', [dyDotY, dlse]);
    const dyg = grouped(dy);
    const dp = bg.node('Reshape', [
      bg.node('MatMul', [dyg, transposeLast(bg, vb)]),
      bg.int64s([p.b, p.hq, p.rows, -1]),
    ]);
    const dsg = grouped(bg.node('Mul', [probs, bg.node('Sub', [dp, delta])]));
    // the scale on dq and dk ([.., D]), which onnxruntime folds into their matmuls
    const dq = bg.node('Mul', [bg.node('MatMul', [dsg, kb]), scale]);
    let dk = bg.node('Mul', [bg.node('MatMul', [transposeLast(bg, dsg), qg]), scale]);
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
  if (p.inline) {
    const rs = inlineBlocks(g, p).map(block);
    const heads = (x: string) => g.node('Reshape', [x, g.int64s([p.b, p.hq, p.rows, p.d])]);
    const dq =
      rs.length === 1
        ? rs[0].dq
        : g.node('Reshape', [
            g.node(
              'Concat',
              rs.map((r) => heads(r.dq)),
              { axis: 2 },
            ),
            g.int64s([p.b, p.hkv, p.group * p.tq, p.d]),
          ]);
    const sum = (xs: string[]) => xs.reduce((a, x) => g.node('Add', [a, x]));
    return g.node('Concat', [dq, sum(rs.map((r) => r.dk)), sum(rs.map((r) => r.dv))], {
      axis: 2,
    });
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
