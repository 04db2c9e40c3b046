import { UserError } from '../errors/index.js';
import { formatShape } from '../graph/index.js';
import { HostTensor } from '../tensor/index.js';
import type { FlatChunk } from './flat-chunks.js';

// A checkpoint keeps optimizer state per parameter, as PyTorch's state_dict does
// (`<param>.exp_avg`); the step graph keeps it per flat chunk (`<chunk>.exp_avg`). These convert.

/** A chunk's state tensor cut into its members' tensors: `<param>.<state>` → values. */
export function splitState(
  chunk: FlatChunk,
  state: string,
  flat: HostTensor,
): Record<string, HostTensor> {
  return Object.fromEntries(
    chunk.members.map((m) => [
      `${m.name}.${state}`,
      new HostTensor(flat.dtype, m.shape, flat.data.slice(m.offset, m.offset + m.size)),
    ]),
  );
}

/**
 * A chunk's state tensor from saved per-parameter tensors (`<param>.<state>`); a member absent
 * from `saved` starts at zero, as in PyTorch. A saved tensor of another shape or dtype is an error.
 */
export function joinState(
  chunk: FlatChunk,
  state: string,
  saved: Readonly<Record<string, HostTensor>>,
): HostTensor {
  const flat = HostTensor.zeros(chunk.dtype, [chunk.size]);
  const parts = chunk.members.map((m) => ({ m, t: saved[`${m.name}.${state}`] }));
  // an f64 reference run keeps f32 values in a Float64Array: keep them exact
  const data = parts.some(({ t }) => t?.data instanceof Float64Array)
    ? new Float64Array(chunk.size)
    : flat.data;
  for (const { m, t } of parts) {
    if (!t) continue;
    if (t.dtype !== chunk.dtype || t.shape.join() !== m.shape.join()) {
      throw new UserError(
        `saved optimizer state '${m.name}.${state}' is ${t.dtype}${formatShape(t.shape)}, the step expects ${chunk.dtype}${formatShape(m.shape)}`,
      );
    }
    (data as Float32Array).set(t.data as Float32Array, m.offset);
  }
  return data === flat.data
    ? flat
    : new HostTensor(chunk.dtype, [chunk.size], data as Float64Array);
}
