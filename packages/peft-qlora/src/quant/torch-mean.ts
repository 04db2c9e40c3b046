import { f32 } from './f32.js';

/**
 * `tensor.mean()` of a 1-D f32 tensor as torch computes it on CPU with one thread and 8-lane (AVX2)
 * vectors: the cascade sum of aten/src/ATen/native/cpu/SumKernel.cpp, accumulated in f32, divided by n.
 * Double quantization's offset is this mean, so a different summation order would change every byte.
 * (With several threads torch splits sums of more than 32768 values; bitsandbytes then differs from
 * itself run to run on thread count. One thread is the reference here.)
 */
export function torchMeanF32(x: Float32Array): number {
  return f32(torchSumF32(x) / x.length);
}

const LANES = 8; // Vectorized<float>::size() on AVX2
const ILP = 4; // row_sum's ilp_factor
const LEVELS = 4; // multi_row_sum's num_levels

/** cascade_sum over a contiguous row: vectorised when it holds at least one vector. */
function torchSumF32(x: Float32Array): number {
  const n = x.length;
  if (n < LANES) return rowSum(n, 1, (i) => [x[i]])[0];
  // vectorized_inner_sum: lanes summed as vectors, the scalar tail first, then the lanes in order
  const vectors = Math.floor(n / LANES);
  const lanes = rowSum(vectors, LANES, (i) => x.subarray(i * LANES, i * LANES + LANES));
  let acc = 0;
  for (let k = vectors * LANES; k < n; k++) acc = f32(acc + x[k]);
  for (const lane of lanes) acc = f32(acc + lane);
  return acc;
}

type Load = (index: number) => ArrayLike<number>;

/** row_sum: the row read as (size / 4, 4) rows summed by multi_row_sum, the leftovers added to the first
 * partial sum, then the four partials added in order. Each "element" is `width` lanes wide. */
function rowSum(size: number, width: number, load: Load): Float32Array {
  const sizeIlp = Math.floor(size / ILP);
  const partials = multiRowSum(sizeIlp, width, (row, k) => load(row * ILP + k));
  for (let i = sizeIlp * ILP; i < size; i++) addInto(partials[0], load(i));
  for (let k = 1; k < ILP; k++) addInto(partials[0], partials[k]);
  return partials[0];
}

/** multi_row_sum with nrows = 4: each of the four columns is summed in chunks of 2^levelPower that cascade
 * through four levels of accumulators, so only numbers of similar magnitude are added. */
function multiRowSum(
  size: number,
  width: number,
  load: (row: number, k: number) => ArrayLike<number>,
): Float32Array[] {
  const levelPower = Math.max(4, Math.floor(ceilLog2(size) / LEVELS));
  const levelStep = 2 ** levelPower;
  const levelMask = levelStep - 1;
  const acc = Array.from({ length: LEVELS }, () =>
    Array.from({ length: ILP }, () => new Float32Array(width)),
  );
  let i = 0;
  while (i + levelStep <= size) {
    for (let j = 0; j < levelStep; j++, i++) {
      for (let k = 0; k < ILP; k++) addInto(acc[0][k], load(i, k));
    }
    for (let j = 1; j < LEVELS; j++) {
      for (let k = 0; k < ILP; k++) {
        addInto(acc[j][k], acc[j - 1][k]);
        acc[j - 1][k].fill(0);
      }
      if ((i & (levelMask * 2 ** (j * levelPower))) !== 0) break;
    }
  }
  for (; i < size; i++) {
    for (let k = 0; k < ILP; k++) addInto(acc[0][k], load(i, k));
  }
  for (let j = 1; j < LEVELS; j++) {
    for (let k = 0; k < ILP; k++) addInto(acc[0][k], acc[j][k]);
  }
  return acc[0];
}

/** c10's CeilLog2: 1 for x <= 2, else the bit length of x - 1. */
function ceilLog2(x: number): number {
  return x <= 2 ? 1 : 32 - Math.clz32(x - 1);
}

function addInto(target: Float32Array, values: ArrayLike<number>): void {
  for (let l = 0; l < target.length; l++) target[l] += values[l];
}
