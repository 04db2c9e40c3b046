import type { OpDef } from '../../op-def.js';
import { sumToShape } from '../helpers.js';
import { checkNormInputs } from './rms-norm.js';

/**
 * PyTorch LayerNorm over the last axis with the biased variance:
 * y = (x - mean) * rsqrt(var + eps) * weight + bias. As PyTorch's kernels do, the decomposition
 * computes in f32 and casts the result back.
 */
export const layerNorm = {
  arity: 3,
  infer([x, weight, bias]) {
    checkNormInputs('layer_norm', x, { weight, bias });
    return x;
  },
  reference([x, weight, bias], { eps }, out, ctx) {
    const y = ctx.alloc(out.dtype, x.data.length);
    const d = weight.data.length;
    for (let row = 0; row < x.data.length; row += d) {
      let sum = 0;
      for (let j = 0; j < d; j++) sum += x.data[row + j];
      const mean = sum / d;
      let sumSq = 0;
      for (let j = 0; j < d; j++) sumSq += (x.data[row + j] - mean) ** 2;
      const rstd = 1 / Math.sqrt(sumSq / d + eps);
      for (let j = 0; j < d; j++) {
        y[row + j] = (x.data[row + j] - mean) * rstd * weight.data[j] + bias.data[j];
      }
    }
    return y;
  },
  // llm.c layernorm_backward: with xhat = (x - mean) rstd and dnorm = dy * weight,
  //   dx = rstd * (dnorm - mean(dnorm) - xhat * mean(dnorm * xhat))
  // (the three terms: the direct path, through the mean, through the variance);
  //   dweight = sum over rows of dy * xhat, dbias = sum over rows of dy.
  vjp({ dy, inputs: [x, weight, bias], attrs: { eps } }) {
    const xc = x.sub(x.mean(-1, true));
    const rstd = xc.square().mean(-1, true).add(eps).rsqrt();
    const xhat = xc.mul(rstd);
    const dnorm = dy.mul(weight);
    const dx = dnorm
      .sub(dnorm.mean(-1, true))
      .sub(xhat.mul(dnorm.mul(xhat).mean(-1, true)))
      .mul(rstd);
    return [dx, sumToShape(dy.mul(xhat), weight.shape), sumToShape(dy, bias.shape)];
  },
  decompose([x, weight, bias], { eps }) {
    const [xf, wf, bf] = [x, weight, bias].map((t) => t.cast('f32'));
    const xc = xf.sub(xf.mean(-1, true));
    const rstd = xc.square().mean(-1, true).add(eps).rsqrt();
    return xc.mul(rstd).mul(wf).add(bf).cast(x.dtype);
  },
} satisfies OpDef<'layer_norm'>;
