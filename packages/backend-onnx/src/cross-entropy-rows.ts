import type { Node } from '@tunekit/core';
import type { OnnxGraph } from './onnx-graph.js';

// `cross_entropy` and its backward on onnxruntime without core's [N, C] one-hot (Equal + Cast):
// the forward gathers each row's log p at its label from onnxruntime's LogSoftmax; the backward is
// onnxruntime's Softmax times the row weight, with the target subtracted at the label only.
// A label equal to ignore_index is gathered as class 0 and its row weighted 0. (A label outside
// [-C, C) fails in onnxruntime's GatherElements; one in [-C, 0) other than ignore_index counts
// from the end. The reference kernel rejects both.)

/** The lowering's view of labels [N]: which rows are ignored, and [N, 1] indices that are valid. */
interface Rows {
  /** bool [N]: label == ignore_index. */
  readonly ignored: string;
  /** [N, 1] in the labels' dtype: the label, 0 on ignored rows. */
  readonly index: string;
}

function rowsOf(g: OnnxGraph, labels: string, labelsNode: Node, ignoreIndex: number): Rows {
  const ignored = g.node('Equal', [labels, g.constant(labelsNode.dtype, [], [ignoreIndex])]);
  const safe = g.node('Where', [ignored, g.constant(labelsNode.dtype, [], [0]), labels]);
  return { ignored, index: g.node('Unsqueeze', [safe, g.int64s([1])]) };
}

/** f [N]: 1 on rows that count, 0 on ignored ones, summed (the 'mean' divisor). */
function countedRows(g: OnnxGraph, ignored: string, like: Node): string {
  const scalar = (v: number) => g.constant(like.dtype, [], [v]);
  const valid = g.node('Where', [ignored, scalar(0), scalar(1)]);
  return g.node('ReduceSum', [valid, g.int64s([0])], { keepdims: 0 });
}

/**
 * loss_i = -(1 - eps) log p[i, y_i] - eps mean_c log p[i, c] on rows that count, 0 on ignored
 * rows; 'sum' adds them, 'mean' divides by the rows that count (0 / 0 = NaN when none does, as
 * PyTorch). onnxruntime's LogSoftmax is one pass over the logits: with the row's max, Sub, Exp,
 * ReduceSum and Log instead, loss and gradient at [1024, 49152] took 1.4x the CPU time, and
 * ReduceLogSumExp is 2.5x slower than that chain (bench/README.md, "The loss on onnxruntime").
 */
export function lowerCrossEntropy(
  g: OnnxGraph,
  [logits, labels]: readonly string[],
  node: Node<'cross_entropy'>,
  [x, y]: readonly Node[],
): string {
  const { ignore_index, label_smoothing: eps, reduction } = node.attrs;
  const scalar = (v: number) => g.constant(x.dtype, [], [v]);
  const { ignored, index } = rowsOf(g, labels, y, ignore_index);
  const axis = g.int64s([1]);
  const logp = g.node('LogSoftmax', [logits], { axis: 1 });
  let logpTarget = g.node('GatherElements', [logp, index], { axis: 1 });
  if (eps > 0) {
    const mean = g.node('ReduceMean', [logp, axis], { keepdims: 1 });
    logpTarget = g.node('Add', [
      g.node('Mul', [logpTarget, scalar(1 - eps)]),
      g.node('Mul', [mean, scalar(eps)]),
    ]);
  }
  const row = g.node('Neg', [g.node('Squeeze', [logpTarget, axis])]);
  const loss = g.node('Where', [ignored, scalar(0), row]);
  if (reduction === 'none') return loss;
  const total = g.node('ReduceSum', [loss, g.int64s([0])], { keepdims: 0 });
  return reduction === 'sum' ? total : g.node('Div', [total, countedRows(g, ignored, x)]);
}

/**
 * d logits = (softmax(x) - (1 - eps) onehot(y) - eps / C) * w, w = dy on rows that count (over
 * their number, at least 1, for 'mean': zero gradients when none counts, as PyTorch), 0 on
 * ignored rows: Softmax, Mul by w [N, 1], the smoothing as one broadcast [N, 1], and -(1 - eps) w
 * added at each row's label by ScatterElements, which onnxruntime may do in place.
 */
export function lowerCrossEntropyBackward(
  g: OnnxGraph,
  [logits, labels, dy]: readonly string[],
  node: Node<'cross_entropy_backward'>,
  [x, y]: readonly Node[],
): string {
  const { ignore_index, label_smoothing: eps, reduction } = node.attrs;
  const scalar = (v: number) => g.constant(x.dtype, [], [v]);
  const { ignored, index } = rowsOf(g, labels, y, ignore_index);
  let scale = dy;
  if (reduction === 'mean') {
    scale = g.node('Div', [dy, g.node('Max', [countedRows(g, ignored, x), scalar(1)])]);
  }
  // w [N, 1]: dy ([N] or a scalar, broadcast) on rows that count
  const w = g.node('Unsqueeze', [g.node('Where', [ignored, scalar(0), scale]), g.int64s([1])]);
  let grad = g.node('Mul', [g.node('Softmax', [logits], { axis: 1 }), w]);
  if (eps > 0) grad = g.node('Sub', [grad, g.node('Mul', [w, scalar(eps / x.shape[1])])]);
  if (eps === 1) return grad;
  const atLabel = g.node('Mul', [w, scalar(eps - 1)]);
  return g.node('ScatterElements', [grad, index, atLabel], { axis: 1, reduction: 'add' });
}
