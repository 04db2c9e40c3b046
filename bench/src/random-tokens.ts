import { HostTensor, type Shape, seededRandom } from '@tunekit/core';

/** Token ids uniform in [0, vocab), the same for a given seed on every run. */
export function randomTokens(shape: Shape, vocab: number, seed: number): HostTensor<'i32'> {
  const random = seededRandom(seed);
  const n = shape.reduce((a, d) => a * d, 1);
  return new HostTensor(
    'i32',
    shape,
    Int32Array.from({ length: n }, () => (random() * vocab) | 0),
  );
}
