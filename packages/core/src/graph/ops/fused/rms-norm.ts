import { ShapeError } from '../../../errors/index.js';
import type { OpDef, TypeInfo } from '../../op-def.js';
import { commonDtype, describe, requireFloat, sumToShape } from '../helpers.js';

/** The checks shared by rms_norm and layer_norm: x [..., D] floating point, each of `params` [D]. */
export function checkNormInputs(op: string, x: TypeInfo, params: Record<string, TypeInfo>): void {
  requireFloat(op, x);
  if (x.shape.length === 0)
    throw new ShapeError(`${op}: x must have a last axis to normalize, got ${describe(x)}`);
  const d = x.shape[x.shape.length - 1];
  for (const [name, p] of Object.entries(params)) {
    if (p.shape.length !== 1 || p.shape[0] !== d) {
      throw new ShapeError(
        `${op}: ${name} ${describe(p)} must be [${d}], the last axis (-1) of x ${describe(x)}`,
      );
    }
  }
  commonDtype(op, [x, ...Object.values(params)]);
}

/**
 * HF LlamaRMSNorm over the last axis: y = weight * (x * rsqrt(mean(x^2) + eps)). As HF does, the
 * decomposition computes the statistics in f32 and casts back before scaling by weight.
 */
export const rmsNorm = {
  arity: 2,
  infer([x, weight]) {
    checkNormInputs('rms_norm', x, { weight });
    return x;
  },
  reference([x, weight], { eps }, out, ctx) {
    const y = ctx.alloc(out.dtype, x.data.length);
    const d = weight.data.length;
    for (let row = 0; row < x.data.length; row += d) {
      let sumSq = 0;
      for (let j = 0; j < d; j++) sumSq += x.data[row + j] * x.data[row + j];
      const r = 1 / Math.sqrt(sumSq / d + eps);
      for (let j = 0; j < d; j++) y[row + j] = weight.data[j] * (x.data[row + j] * r);
    }
    return y;
  },
  // With r = (mean(x^2) + eps)^(-1/2), xhat = x r and g = dy * weight:
  //   dr/dx_j = -r^3 x_j / D, so dx_j = g_j r + sum_i g_i x_i dr/dx_j = r (g_j - xhat_j mean(g xhat));
  //   dweight = sum over rows of dy * xhat.
  vjp({ dy, inputs: [x, weight], attrs: { eps } }) {
    const r = x.square().mean(-1, true).add(eps).rsqrt();
    const xhat = x.mul(r);
    const g = dy.mul(weight);
    const dx = g.sub(xhat.mul(g.mul(xhat).mean(-1, true))).mul(r);
    return [dx, sumToShape(dy.mul(xhat), weight.shape)];
  },
  decompose([x, weight], { eps }) {
    const xf = x.cast('f32');
    const normed = xf.mul(xf.square().mean(-1, true).add(eps).rsqrt()).cast(x.dtype);
    return weight.mul(normed);
  },
} satisfies OpDef<'rms_norm'>;
