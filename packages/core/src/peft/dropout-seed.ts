import type { GraphBuilder, Tensor } from '../graph/index.js';

/**
 * The graph input that seeds adapter dropout: an i32 scalar of role 'data' that a training loop
 * feeds a fresh value every step. It exists only in graphs traced with dropout on.
 */
export const DROPOUT_SEED_INPUT = 'dropout_seed';

/**
 * The dropout seed of one layer: the shared seed input plus `salt`, so layers draw different
 * masks (dropout's counter-based generator hashes the seed before use).
 */
export function dropoutSeed(b: GraphBuilder, salt: number): Tensor {
  const declared = b.graphInputs().find((input) => input.name === DROPOUT_SEED_INPUT);
  const seed = declared ? b.tensorOf(declared.node) : b.input(DROPOUT_SEED_INPUT, [], 'i32');
  return salt === 0 ? seed : seed.add(salt);
}
