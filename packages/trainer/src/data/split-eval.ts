import { UserError } from '@tunekit/core';
import { shuffle } from './seeded-order.js';

/**
 * Holds out round(fraction · n) of `ids` (at least one, and at least one left to train on),
 * drawn with `random`; both parts keep the data order. `source` names the data in errors.
 */
export function splitEval(
  ids: readonly number[],
  fraction: number,
  random: () => number,
  source: string,
): { train: number[]; eval: number[] } {
  if (ids.length < 2) {
    throw new UserError(
      `${source}: eval_split needs at least 2 examples to hold some out, and this source has ${ids.length}`,
    );
  }
  const count = Math.min(ids.length - 1, Math.max(1, Math.round(fraction * ids.length)));
  const held = new Set(shuffle([...ids], random).slice(0, count));
  return { train: ids.filter((id) => !held.has(id)), eval: ids.filter((id) => held.has(id)) };
}
