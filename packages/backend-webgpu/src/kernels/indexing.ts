import { normAxis, sizeOf } from '@tunekit/core';
import type { Lowering } from './kernel.js';
import { mapKernel, wgslType } from './wgsl.js';

/** A negative index counts from the end, as in the reference. */
const resolve = (size: number) => `let s = x_idx + select(0, ${size}, x_idx < 0);`;

export const INDEXING: {
  readonly gather: Lowering<'gather'>;
  readonly scatter_add: Lowering<'scatter_add'>;
} = {
  // y[o, j, t] = data[o, indices[j], t]
  gather(node, [data, indices]) {
    const axis = normAxis('gather', node.attrs.axis, data.shape.length);
    const size = data.shape[axis];
    const inner = sizeOf(data.shape.slice(axis + 1));
    const count = sizeOf(indices.shape);
    const expr = `x0[(o * ${size}u + u32(s)) * ${inner}u + t]`;
    return [
      mapKernel({
        shape: node.shape,
        inputs: [
          { node: data.id, dtype: data.dtype },
          { node: indices.id, dtype: indices.dtype },
        ],
        out: node.dtype,
        expr: `gather_at(i)`,
        helpers: `fn gather_at(i: u32) -> ${wgslType(data.dtype)} {
  let t = i % ${inner}u;
  let j = (i / ${inner}u) % ${count}u;
  let o = i / ${inner * count}u;
  let x_idx = x1[j];
  ${resolve(size)}
  return ${expr};
}
`,
      }),
    ];
  },
  // y[o, s, t] = sum over j with indices[j] = s of updates[o, j, t], in j order (deterministic,
  // no float atomics): each output scans the indices
  scatter_add(node, [indices, updates]) {
    const { size } = node.attrs;
    const axis = normAxis('scatter_add', node.attrs.axis, node.shape.length);
    const count = sizeOf(indices.shape);
    const inner = sizeOf(updates.shape.slice(axis + indices.shape.length));
    const t = wgslType(node.dtype);
    return [
      mapKernel({
        shape: node.shape,
        inputs: [
          { node: indices.id, dtype: indices.dtype },
          { node: updates.id, dtype: updates.dtype },
        ],
        out: node.dtype,
        expr: `scatter_at(i)`,
        helpers: `fn scatter_at(i: u32) -> ${t} {
  let t = i % ${inner}u;
  let want = i32((i / ${inner}u) % ${size}u);
  let o = i / ${inner * size}u;
  var acc = ${t}(0);
  for (var j = 0u; j < ${count}u; j++) {
    let x_idx = x0[j];
    ${resolve(size)}
    if (s == want) { acc += x1[(o * ${count}u + j) * ${inner}u + t]; }
  }
  return acc;
}
`,
      }),
    ];
  },
};
