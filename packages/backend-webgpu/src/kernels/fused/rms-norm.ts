import type { Lowering } from '../kernel.js';
import { literal, stored } from '../wgsl.js';
import { laneKernel } from './lane-kernel.js';

// y = x * rstd * weight, rstd = 1 / sqrt(mean(x^2) + eps), over the last axis
export const rmsNorm: Lowering<'rms_norm'> = (node, [x, weight], { subgroups }) => [
  laneKernel({
    subgroups,
    node,
    x,
    axis: x.shape.length - 1,
    inputs: [x, weight],
    body: `var ss = 0.0;
  for (var k = t; k < n; k += 64u) { let v = x0[base + k]; ss += v * v; }
  let rstd = inverseSqrt(wg_sum(ss, t) / f32(n) + ${literal('f32', node.attrs.eps)});
  for (var k = t; k < n; k += 64u) {
    y[base + k] = ${stored(node.dtype, 'x0[base + k] * rstd * x1[k]')};
  }`,
  }),
];
