import { type DType, type Node, sizeOf } from '@tunekit/core';
import type { Kernel } from '../kernel.js';
import { bindings, WORKGROUP } from '../wgsl.js';

/**
 * Workgroup-wide sum and max of one f32 per invocation, through workgroup memory (a tree of
 * log2(WORKGROUP) steps); every invocation gets the result. Called in uniform control flow.
 */
const REDUCTIONS = `var<workgroup> red: array<f32, ${WORKGROUP}>;
fn wg_sum(v: f32, t: u32) -> f32 {
  red[t] = v;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (t < s) { red[t] = red[t] + red[t + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
fn wg_max(v: f32, t: u32) -> f32 {
  red[t] = v;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (t < s) { red[t] = max(red[t], red[t + s]); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
`;

/**
 * One workgroup per 1-D lane of `x` along `axis`: element k of lane `lane` is at
 * `base + k * stride` (both u32 in `body`), for k < n; invocation t handles k = t, t + 64, ...
 * `body` uses wg_sum/wg_max and writes y.
 */
export function laneKernel(opts: {
  readonly node: Node;
  readonly x: Node;
  readonly axis: number;
  readonly inputs: readonly Node[];
  readonly body: string;
  readonly helpers?: string;
}): Kernel {
  const { x, axis } = opts;
  const n = x.shape[axis];
  const inner = sizeOf(x.shape.slice(axis + 1));
  const lanes = sizeOf(x.shape) / n;
  const gx = Math.min(lanes, 65535);
  const source = `${bindings(
    opts.inputs.map((i) => i.dtype as DType),
    opts.node.dtype,
  )}${REDUCTIONS}${opts.helpers ?? ''}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) t: u32) {
  let lane = wid.x + wid.y * ${gx}u;
  if (lane >= ${lanes}u) { return; }
  let base = (lane / ${inner}u) * ${n * inner}u + lane % ${inner}u;
  let stride = ${inner}u;
  let n = ${n}u;
  ${opts.body}
}
`;
  return {
    source,
    inputs: opts.inputs.map((i) => i.id),
    workgroups: [gx, Math.ceil(lanes / gx), 1],
    workgroupBytes: WORKGROUP * 4,
    invocations: WORKGROUP,
  };
}
