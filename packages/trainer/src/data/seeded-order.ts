import { seededRandom } from '@tunekit/core';

/** Shuffles `items` in place (Fisher-Yates) with `random` in [0, 1), and returns them. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** The generator of one epoch's order: a stream of its own for every (seed, epoch) pair. */
export function epochRandom(seed: number, epoch: number): () => number {
  return seededRandom(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(epoch + 1, 0xc2b2ae35));
}
