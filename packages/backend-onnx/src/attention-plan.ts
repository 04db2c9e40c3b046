import type { AttentionAttrs, Node } from '@tunekit/core';
import type { OnnxGraph } from './onnx-graph.js';

// How `flash_attention`'s lowering cuts the queries into blocks of rows: each block holds the
// scores of its rows against the keys they may see, [B, Hq, rows, <= Tk], so memory grows with Tk,
// not Tq * Tk. Under causality a block sees only keys up to its last row. Short sequences fit one
// block and go inline, without a Loop; causal ones are cut into INLINE_BLOCKS inline blocks, so the
// earlier rows skip the keys of their future.

/** Elements of one block's scores that an iteration may hold: 4M (16 MB in f32). */
const BLOCK_SCORES = 1 << 22;
/**
 * Inline blocks of a causal sequence of at least INLINE_SPLIT_ROWS that fits one block: 2 skip a
 * quarter of the scores (one SmolLM2 layer at seq 256: about 10% less CPU time; not measured below).
 */
const INLINE_BLOCKS = 2;
const INLINE_SPLIT_ROWS = 256;

export interface Plan {
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
  /** The blocks go inline, one after the other, rather than as a Loop's iterations. */
  readonly inline: boolean;
  readonly attrs: AttentionAttrs;
  /** The mask's shape as rank 4, and whether it is boolean. */
  readonly mask?: { readonly shape: readonly number[]; readonly bool: boolean };
}

export function planOf(attrs: AttentionAttrs, [q, k, , mask]: readonly Node[]): Plan {
  const [b, hq, tq, d] = q.shape;
  const [, hkv, tk] = k.shape;
  const perRow = b * hq * tk;
  const inline = perRow * tq <= BLOCK_SCORES;
  const split =
    attrs.causal && tq >= INLINE_SPLIT_ROWS && tq % INLINE_BLOCKS === 0 ? INLINE_BLOCKS : 1;
  const rows = inline
    ? tq / split
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
    inline,
    attrs,
  };
  if (!mask) return plan;
  const shape = [...Array(4 - mask.shape.length).fill(1), ...mask.shape];
  return { ...plan, mask: { shape, bool: mask.dtype === 'bool' } };
}

/** Rows [Tq, rows * blocks) of axis 2 padded (zeros; `false` for a boolean mask). */
export function padRows(g: OnnxGraph, x: string, p: Plan): string {
  const extra = p.rows * p.blocks - p.tq;
  return extra === 0 ? x : g.node('Pad', [x, g.int64s([0, 0, 0, 0, 0, 0, extra, 0])]);
}

/** One block's first row (an i64 scalar) and what it derives: its rows, and the keys they see. */
export interface Block {
  readonly g: OnnxGraph;
  /** i64 [1]: the first row and one past the last. */
  readonly r0: string;
  readonly r1: string;
  /** i64 [1]: one past the last key any of its rows may see; undefined: all Tk. */
  readonly end?: string;
  /** An inline block's first row: its bounds are constants, shared by the forward and backward. */
  readonly first?: number;
}

export function blockAt(g: OnnxGraph, p: Plan, first: string): Block {
  const i64 = (n: number) => g.constant('i64', [1], [n]);
  const r0 = g.node('Reshape', [first, g.int64s([1])]);
  const r1 = g.node('Add', [r0, i64(p.rows)]);
  if (!p.attrs.causal || p.blocks === 1) return { g, r0, r1 };
  return { g, r0, r1, end: g.node('Min', [g.node('Add', [r1, i64(p.tk - p.tq)]), i64(p.tk)]) };
}

/** Inline block `i`, its bounds constants (the backward's slices then match the forward's). */
export function inlineBlock(g: OnnxGraph, p: Plan, i: number): Block {
  const i64 = (n: number) => g.constant('i64', [1], [n]);
  const first = i * p.rows;
  const [r0, r1] = [i64(first), i64(first + p.rows)];
  if (!p.attrs.causal || p.blocks === 1) return { g, r0, r1, first };
  return { g, r0, r1, first, end: i64(Math.min(first + p.rows + p.tk - p.tq, p.tk)) };
}

/** Rows [r0, r1) of axis `axis` (all of them with one block). */
export function rowsOf(blk: Block, p: Plan, x: string, axis = 2): string {
  if (p.blocks === 1) return x;
  return blk.g.node('Slice', [x, blk.r0, blk.r1, blk.g.int64s([axis])]);
}

/** Keys [0, end) of axis `axis`. */
export function keysOf(blk: Block, x: string, axis = 2): string {
  if (!blk.end) return x;
  return blk.g.node('Slice', [x, blk.g.int64s([0]), blk.end, blk.g.int64s([axis])]);
}
