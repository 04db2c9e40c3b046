import { sizeOf } from '../../graph/shape.js';
import { HostTensor, randomNormal } from '../../tensor/index.js';
import type { CaseInput } from './op-cases.js';

/** The host tensor a case input describes, drawn from `random`. */
export function fillInput(input: CaseInput, random: () => number): HostTensor {
  const n = sizeOf(input.shape);
  const fill = input.fill ?? 'normal';
  let values: ArrayLike<number>;
  if (fill === 'normal') values = randomNormal(n, random);
  else if (fill === 'positive')
    values = Float64Array.from({ length: n }, () => 0.5 + 1.5 * random());
  else if ('ints' in fill) {
    const [lo, hi] = fill.ints;
    values = Float64Array.from({ length: n }, () => lo + Math.floor(random() * (hi - lo)));
  } else values = fill;
  return HostTensor.from(input.dtype ?? 'f32', input.shape, values);
}
