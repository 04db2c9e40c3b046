import type { Node } from '@tunekit/core';
import type { Lowering } from '../kernel.js';
import { literal, stored } from '../wgsl.js';
import { laneKernel } from './lane-kernel.js';
import { MAX_AND_SUM } from './softmax.js';

/**
 * cross_entropy with reduction 'none', a workgroup per row of logits [N, C]: with
 * lse = m + log sum exp(x - m), loss = (1 - eps) (lse - x[label]) + eps (lse - mean x), 0 on a row
 * labelled ignore_index. 'mean' and 'sum' reach the backend as the sum of these rows (see
 * `keepCrossEntropy` and core's decomposition). A label outside [0, C) is read clamped: only the
 * reference kernel checks labels.
 */
export const crossEntropy: Lowering<'cross_entropy'> = (node, [logits, labels], { subgroups }) => {
  const { ignore_index, label_smoothing: eps } = node.attrs;
  const smoothing =
    eps > 0
      ? `var sx_part = 0.0;
  for (var k = t; k < n; k += 64u) { sx_part += x0[base + k]; }
  let mean_x = wg_sum(sx_part, t) / f32(n);
  let smoothing_term = lse - mean_x;`
      : 'let smoothing_term = 0.0;';
  return [
    laneKernel({
      subgroups,
      node,
      x: logits,
      axis: 1,
      inputs: [logits, labels],
      body: `${MAX_AND_SUM}
  let lse = m + log(s);
  ${smoothing}
  let label = x1[lane];
  let at = base + u32(clamp(label, 0, i32(n) - 1));
  let loss = ${literal('f32', 1 - eps)} * (lse - x0[at]) + ${literal('f32', eps)} * smoothing_term;
  if (t == 0u) {
    y[lane] = ${stored(node.dtype, `select(loss, 0.0, label == ${literal('i32', ignore_index)})`)};
  }`,
    }),
  ];
};

/** The kernel takes reduction 'none' only; core decomposes 'mean' and 'sum' into a sum of its rows. */
export const keepCrossEntropy = (node: Node<'cross_entropy'>) => node.attrs.reduction === 'none';
