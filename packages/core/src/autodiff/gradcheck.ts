import { ReferenceBackend } from '../backend/reference/index.js';
import { GraphBuilder } from '../graph/builder.js';
import { type DType, isFloat } from '../graph/dtype.js';
import { sizeOf } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import { HostTensor, randomNormal, seededRandom } from '../tensor/index.js';
import { grad } from './grad.js';

export interface GradcheckInput {
  readonly shape: readonly number[];
  readonly dtype?: DType;
  /** Defaults to seeded standard normals. */
  readonly values?: ArrayLike<number>;
  /** Defaults to true for float inputs; integer inputs are never differentiated. */
  readonly differentiable?: boolean;
}

export interface GradcheckResult {
  /** max over inputs of max|analytic - numeric| / max(max|numeric|, 1e-8) */
  readonly maxRelError: number;
  /** Which input and element the worst error was at. */
  readonly worst: string;
}

/**
 * Checks the VJP rules behind `f` against central finite differences, in f64 on the reference
 * backend. The output is projected onto fixed random weights, so every output element counts.
 */
export async function gradcheck(
  f: (...xs: Tensor[]) => Tensor,
  inputs: readonly GradcheckInput[],
  opts: { eps?: number; seed?: number } = {},
): Promise<GradcheckResult> {
  const eps = opts.eps ?? 1e-6;
  const random = seededRandom(opts.seed ?? 1234);
  const b = new GraphBuilder();
  const xs = inputs.map((input, i) => b.input(`x${i}`, input.shape, input.dtype ?? 'f32'));
  const wanted = inputs.map((input, i) => isFloat(xs[i].dtype) && input.differentiable !== false);
  const y = f(...xs);
  const w = b.input('w', y.shape, y.dtype);
  const loss = y.mul(w).sum();
  const grads = grad(
    loss,
    xs.filter((_, i) => wanted[i]),
  );

  const backend = new ReferenceBackend({ precision: 'f64' });
  const lossOnly = backend.compile(b.build({ loss }));
  const withGrads = backend.compile(
    b.build({ loss, ...Object.fromEntries(grads.map((g, k) => [`g${k}`, g ?? loss])) }),
  );
  const values = inputs.map((input) =>
    Float64Array.from(input.values ?? randomNormal(sizeOf(input.shape), random)),
  );
  const projection = randomNormal(sizeOf(y.shape), random);
  const feeds = (): Record<string, HostTensor> => ({
    w: hostOf(y.dtype, y.shape, projection),
    ...Object.fromEntries(
      inputs.map((_, i) => [`x${i}`, hostOf(xs[i].dtype, xs[i].shape, values[i])]),
    ),
  });
  const analytic = await withGrads.run(feeds());

  let maxRelError = 0;
  let worst = 'none';
  let k = 0;
  for (let i = 0; i < inputs.length; i++) {
    if (!wanted[i]) continue;
    const g = grads[k] ? analytic[`g${k}`].toFloat64() : new Float64Array(values[i].length);
    k++;
    const numeric = new Float64Array(values[i].length);
    for (let j = 0; j < values[i].length; j++) {
      const v = values[i][j];
      values[i][j] = v + eps;
      const up = (await lossOnly.run(feeds())).loss.item();
      values[i][j] = v - eps;
      const down = (await lossOnly.run(feeds())).loss.item();
      values[i][j] = v;
      numeric[j] = (up - down) / (2 * eps);
    }
    const scale = numeric.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-8);
    for (let j = 0; j < numeric.length; j++) {
      const err = Math.abs(g[j] - numeric[j]) / scale;
      if (err > maxRelError || Number.isNaN(err)) {
        maxRelError = Number.isNaN(err) ? Number.POSITIVE_INFINITY : err;
        worst = `input ${i} element ${j}: analytic ${g[j]}, numeric ${numeric[j]}`;
      }
    }
  }
  return { maxRelError, worst };
}

function hostOf(dtype: DType, shape: readonly number[], values: Float64Array): HostTensor {
  return dtype === 'f32'
    ? new HostTensor('f32', shape, values.slice())
    : HostTensor.from(dtype, shape, values);
}
