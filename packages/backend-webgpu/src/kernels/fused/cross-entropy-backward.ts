import type { Lowering } from '../kernel.js';
import { literal, stored } from '../wgsl.js';
import { laneKernel } from './lane-kernel.js';
import { MAX_AND_SUM } from './softmax.js';

/**
 * d logits = (softmax(x) - target) * w in one pass per row (a workgroup each), target =
 * (1 - eps) onehot + eps / C, w = dy on rows that count, divided by their number for 'mean' (each
 * workgroup counts the labels itself: N reads, no second dispatch), 0 on ignored rows.
 */
export const crossEntropyBackward: Lowering<'cross_entropy_backward'> = (
  node,
  [logits, labels, dy],
  { subgroups },
) => {
  const { ignore_index, label_smoothing: eps, reduction } = node.attrs;
  const rows = logits.shape[0];
  const ignore = literal('i32', ignore_index);
  const count =
    reduction === 'mean'
      ? `var counted = 0.0;
  for (var r = t; r < ${rows}u; r += 64u) { counted += select(1.0, 0.0, x1[r] == ${ignore}); }
  let w = w_row / max(wg_sum(counted, t), 1.0);`
      : 'let w = w_row;';
  return [
    laneKernel({
      subgroups,
      node,
      x: logits,
      axis: 1,
      inputs: [logits, labels, dy],
      body: `${MAX_AND_SUM}
  let label = x1[lane];
  let w_row = select(x2[${reduction === 'none' ? 'lane' : '0u'}], 0.0, label == ${ignore});
  ${count}
  for (var k = t; k < n; k += 64u) {
    let target_k = select(0.0, ${literal('f32', 1 - eps)}, i32(k) == label) + ${literal('f32', eps)} / f32(n);
    y[base + k] = ${stored(node.dtype, '(exp(x0[base + k] - m) / s - target_k) * w')};
  }`,
    }),
  ];
};
