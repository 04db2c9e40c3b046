import {
  type CausalLM,
  evaluate,
  GraphBuilder,
  type HostTensor,
  prefixLengthOf,
  type Tensor,
  TraceContext,
} from '@tunekit/core';

/** One layer's prefix keys and values, each [1, Hkv, N, D]. */
export interface PrefixLayer {
  readonly key: HostTensor;
  readonly value: HostTensor;
}

/** Graph input (then initializer) names of layer `i`'s prefix. */
export const prefixNames = (i: number) =>
  ({ key: `prefix_key_values.${i}.key`, value: `prefix_key_values.${i}.value` }) as const;

/**
 * The keys and values of the model's active prefix-family adapter (prefix tuning's prefix, prompt
 * tuning's virtual tokens: `CausalLM.tracePrefix`), computed once on the host, for the export to
 * hold as constants; undefined without one. They do not depend on the input, so the exported graph
 * need not recompute them at every run.
 */
export async function hostPrefix(model: CausalLM): Promise<PrefixLayer[] | undefined> {
  if (prefixLengthOf(model) === 0 || !model.tracePrefix) return undefined;
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, model);
  const layers = model.tracePrefix(ctx, 1);
  const outputs: Record<string, Tensor> = {};
  layers.forEach(({ key, value }, i) => {
    outputs[prefixNames(i).key] = key;
    outputs[prefixNames(i).value] = value;
  });
  const values = await evaluate(b.build(outputs), ctx.weights());
  return layers.map((_, i) => ({
    key: values[prefixNames(i).key],
    value: values[prefixNames(i).value],
  }));
}
