import { normAxis } from '@tunekit/core';
import type { Lowering } from '../kernel.js';
import { stored } from '../wgsl.js';
import { laneKernel } from './lane-kernel.js';

/** m = max x over the lane, s = sum exp(x - m): two passes over the lane, the row kept in place. */
export const MAX_AND_SUM = `var m_part = bits_f32(0xff800000u);
  for (var k = t; k < n; k += 64u) { m_part = max(m_part, x0[base + k * stride]); }
  let m = wg_max(m_part, t);
  var s_part = 0.0;
  for (var k = t; k < n; k += 64u) { s_part += exp(x0[base + k * stride] - m); }
  let s = wg_sum(s_part, t);`;

export const softmax: Lowering<'softmax'> = (node, [x], { subgroups }) => [
  laneKernel({
    subgroups,
    node,
    x,
    axis: normAxis('softmax', node.attrs.axis, x.shape.length),
    inputs: [x],
    body: `${MAX_AND_SUM}
  for (var k = t; k < n; k += 64u) {
    let at = base + k * stride;
    y[at] = ${stored(node.dtype, 'exp(x0[at] - m) / s')};
  }`,
  }),
];

// log_softmax = x - m - log(s)
export const logSoftmax: Lowering<'log_softmax'> = (node, [x], { subgroups }) => [
  laneKernel({
    subgroups,
    node,
    x,
    axis: normAxis('log_softmax', node.attrs.axis, x.shape.length),
    inputs: [x],
    body: `${MAX_AND_SUM}
  let shift = m + log(s);
  for (var k = t; k < n; k += 64u) {
    let at = base + k * stride;
    y[at] = ${stored(node.dtype, 'x0[at] - shift')};
  }`,
  }),
];
