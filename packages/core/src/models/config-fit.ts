import { UserError } from '../errors/index.js';
import { formatShape, sameShape } from '../graph/index.js';
import type { HostTensor } from '../tensor/index.js';
import type { ModelFamily } from './model-family.js';
import type { TaskModel } from './task-model.js';

/**
 * A checkpoint tensor whose shape differs from the one `config.json` gives its parameter is blamed
 * on the config field that sets the differing dimension (the family's `weightDims`), so that a
 * wrong hidden_size reads as such rather than as a bare shape mismatch.
 */
export function checkConfigFitsWeights(
  model: TaskModel,
  family: ModelFamily,
  weights: ReadonlyMap<string, HostTensor>,
  where: { readonly source: string; readonly configFile: string },
): void {
  const table = family.weightDims;
  if (!table) return;
  const params = new Map(model.namedParameters());
  for (const [name, t] of weights) {
    const expected = params.get(name)?.shape;
    if (!expected || sameShape(expected, t.shape)) continue;
    const key = Object.keys(table).find((ending) => name.endsWith(ending));
    const fields = key === undefined ? undefined : table[key];
    if (fields?.length !== expected.length || t.shape.length !== expected.length) continue;
    const axis = expected.findIndex((size, i) => size !== t.shape[i]);
    throw new UserError(
      `${where.configFile}: ${fields[axis]} (${expected[axis]}) does not match the weights: ` +
        `${name} in ${where.source} has shape ${formatShape(t.shape)}, where the config gives ${formatShape(expected)}`,
    );
  }
}
