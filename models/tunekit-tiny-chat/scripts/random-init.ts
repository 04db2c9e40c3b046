import { type CausalLM, HostTensor, randomNormal, seededRandom } from '@tunekit/core';

/**
 * transformers' `_init_weights` for Llama: every matrix ~ N(0, initializer_range), norms 1, from a
 * seed. As GPT-2 does, the projections that write into the residual stream (o_proj, down_proj) are
 * scaled by 1/sqrt(2 * num_hidden_layers) so the stream's variance does not grow with depth.
 */
export function randomInit(
  model: CausalLM,
  opts: { seed: number; initializerRange: number },
): void {
  const random = seededRandom(opts.seed);
  const residualScale = 1 / Math.sqrt(2 * model.shape.numLayers);
  for (const [name, p] of model.namedParameters()) {
    const size = p.shape.reduce((a, b) => a * b, 1);
    if (name.endsWith('norm.weight')) {
      p.value = HostTensor.from('f32', p.shape, new Float32Array(size).fill(1));
      continue;
    }
    const std = /(o_proj|down_proj)\.weight$/.test(name)
      ? opts.initializerRange * residualScale
      : opts.initializerRange;
    p.value = HostTensor.from(
      'f32',
      p.shape,
      randomNormal(size, random).map((x) => x * std),
    );
  }
}
