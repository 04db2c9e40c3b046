import { LayerNorm, type Module, type ParamGroup, RMSNorm } from '@tunekit/core';

/** transformers' `get_decay_parameter_names` name patterns (on the lower-cased full name). */
const NO_DECAY_PATTERNS = [/bias/, /layernorm/, /rmsnorm/, /(?:^|\.)norm(?:$|\.)/, /_norm(?:$|\.)/];

/** Names of the model's parameters that weight decay applies to: all but biases and norms. */
export function decayParameterNames(model: Module): Set<string> {
  const norms = new Set<string>();
  for (const [path, module] of model.namedModules()) {
    if (module instanceof LayerNorm || module instanceof RMSNorm)
      for (const [name] of module.namedParameters(path)) norms.add(name);
  }
  return new Set(
    model
      .namedParameters()
      .map(([name]) => name)
      .filter(
        (name) => !norms.has(name) && !NO_DECAY_PATTERNS.some((re) => re.test(name.toLowerCase())),
      ),
  );
}

/**
 * Depth of a parameter for layer-wise decay: 0 for the input embeddings, i + 1 in decoder layer i
 * (`layers.i.` in Llama-style trees, `h.i.` in GPT-2), numLayers + 1 for what sits above the last
 * layer (final norm, output head, new heads).
 */
export function layerDepth(name: string, numLayers: number): number {
  const layer = /(?:^|\.)(?:layers|h)\.(\d+)\./.exec(name);
  if (layer) return Number(layer[1]) + 1;
  if (/(?:^|\.)(?:embed_tokens|wte|wpe)(?:\.|$)/.test(name)) return 0;
  return numLayers + 1;
}

/**
 * AdamW parameter groups of the trainable parameters `names`, one per (decay, learning rate) pair,
 * each matching its names: weight decay except on biases and norms; with `layerwiseLrDecay` d, a
 * parameter at depth k gets lr * d^(numLayers + 1 - k). Each group's `lr` is its base rate, which
 * the schedule's factor multiplies at every step (torch's LambdaLR on `base_lrs`).
 */
export function planParamGroups(
  model: Module,
  names: readonly string[],
  opts: {
    readonly learningRate: number;
    readonly weightDecay: number;
    readonly layerwiseLrDecay: number | null;
    readonly numLayers: number;
  },
): ParamGroup[] {
  const decayed = decayParameterNames(model);
  const members = new Map<string, { decay: boolean; scale: number; names: Set<string> }>();
  for (const name of names) {
    const decay = opts.weightDecay > 0 && decayed.has(name);
    const scale =
      opts.layerwiseLrDecay === null
        ? 1
        : opts.layerwiseLrDecay ** (opts.numLayers + 1 - layerDepth(name, opts.numLayers));
    const key = `${decay}:${scale}`;
    let group = members.get(key);
    if (!group) {
      group = { decay, scale, names: new Set() };
      members.set(key, group);
    }
    group.names.add(name);
  }
  return [...members.values()].map((g) => ({
    lr: opts.learningRate * g.scale,
    weight_decay: g.decay ? opts.weightDecay : 0,
    match: (name: string) => g.names.has(name),
  }));
}
