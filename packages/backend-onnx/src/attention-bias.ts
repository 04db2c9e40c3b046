import { type Block, keysOf, type Plan, padRows, rowsOf } from './attention-plan.js';
import type { OnnxGraph } from './onnx-graph.js';

// What hides keys from a block's queries, as one additive term of its scores: 0 where a key is
// seen, -inf where the causal rule or the mask hides it. The causal rule and the mask are merged
// once per step on mask-sized tensors ([B, 1, Tq, Tk] or less), and every layer, forward and
// backward, reads the same merged bias: one broadcast Add on the scores instead of a Where.

const NEG_INF = Number.NEGATIVE_INFINITY;

export interface Bias {
  /** Broadcasts to the block's scores [B, Hq, rows, keys]; absent: every key is seen. */
  readonly add?: string;
  /**
   * bool, broadcasting to [B, Hq, rows, 1]: the rows that see no key at all. Their bias row is 0
   * instead, so their scores stay finite; the caller zeroes what they produce (PyTorch's
   * `_safe_softmax`). Absent: every row sees a key (always so under the causal rule alone).
   */
  readonly hidden?: string;
}

/**
 * [rows, keys] with -inf where key j lies in the future of row i = first + r:
 * j > i + (Tk - Tq). `first` and `end` are i64 scalars; from constants, onnxruntime folds it.
 */
function causalBias(g: OnnxGraph, p: Plan, first: string, rows: number, end: string): string {
  const i64 = (n: number) => g.constant('i64', [], [n]);
  const f32 = (x: number) => g.constant('f32', [], [x]);
  const seen = g.node('Add', [first, i64(p.tk - p.tq)]);
  const rowIds = g.node('Range', [seen, g.node('Add', [seen, i64(rows)]), i64(1)]);
  const keyIds = g.node('Range', [i64(0), end, i64(1)]);
  const future = g.node('Greater', [keyIds, g.node('Unsqueeze', [rowIds, g.int64s([1])])]);
  return g.node('Where', [future, f32(NEG_INF), f32(0)]);
}

/** The bias of all (padded) rows against all keys, built once per mask in the main graph. */
function wholeBias(g: OnnxGraph, p: Plan, mask?: string): Bias {
  const rows = p.rows * p.blocks;
  const key = `attention-bias:${mask ?? ''}:${p.attrs.causal}:${rows}:${p.tq}:${p.tk}`;
  return g.once(key, (main): Bias => {
    const scalar = (n: number) => main.constant('i64', [], [n]);
    const causal = p.attrs.causal ? causalBias(main, p, scalar(0), rows, scalar(p.tk)) : undefined;
    if (!mask || !p.mask) return { add: causal };
    const f32 = (x: number) => main.constant('f32', [], [x]);
    let m = main.node('Reshape', [mask, main.int64s(p.mask.shape)]);
    if (p.mask.shape[2] > 1) m = padRows(main, m, p);
    if (p.mask.bool) m = main.node('Where', [m, f32(0), f32(NEG_INF)]);
    const merged = causal ? main.node('Add', [m, causal]) : m;
    const max = main.node('ReduceMax', [merged, main.int64s([-1])], { keepdims: 1 });
    const hidden = main.node('Equal', [max, f32(NEG_INF)]);
    return { add: main.node('Where', [hidden, f32(0), merged]), hidden };
  });
}

/** The bias of one block's rows against the keys they see. */
export function blockBias(blk: Block, p: Plan, mask?: string): Bias {
  if (!mask && !p.attrs.causal) return {};
  if (p.blocks === 1) return wholeBias(blk.g, p, mask);
  if (blk.first === undefined) return slicedBias(blk, p, mask);
  // an inline block's bias, built once: the backward's score chain then matches the forward's
  const key = `attention-bias:${mask ?? ''}:${p.attrs.causal}:${p.tq}:${p.tk}:${blk.first}+${p.rows}`;
  return blk.g.once(key, () => slicedBias(blk, p, mask));
}

function slicedBias(blk: Block, p: Plan, mask?: string): Bias {
  if (!mask) {
    // per block: a whole [Tq, Tk] causal bias would be folded into a T^2 constant
    const scalar = (x: string) => blk.g.node('Squeeze', [x, blk.g.int64s([0])]);
    return { add: causalBias(blk.g, p, scalar(blk.r0), p.rows, scalar(blk.end as string)) };
  }
  // a merged bias has all (padded) rows when either the rule or the mask varies by row
  const whole = wholeBias(blk.g, p, mask);
  const byRow = (x: string) =>
    p.attrs.causal || (p.mask?.shape[2] ?? 1) > 1 ? rowsOf(blk, p, x) : x;
  return {
    add: whole.add && keysOf(blk, byRow(whole.add), 3),
    hidden: whole.hidden && byRow(whole.hidden),
  };
}
