import type { Tensor } from '../graph/tensor.js';
import { Module } from '../nn/module.js';
import type { TraceContext } from '../nn/trace-context.js';
import type { HostTensor } from '../tensor/index.js';
import type { CausalLM, CausalLMInputs, CausalLMOutputs, CausalLMShape } from './causal-lm.js';
import type { HfConfig } from './model-family.js';
import { refusePrefixAdapters } from './refuse-prefix-adapters.js';
import { scoreHead } from './score-head.js';
import { headOf, type ModelHead, type TaskModel } from './task-model.js';

/**
 * The extra heads of a multi-head model saved as a whole model (merged, or fully fine-tuned), under
 * their model names (`score.weight`): the model folder holds the causal LM, which transformers and
 * tunekit load without them, and this file's `score.weight` loads into `*ForSequenceClassification`
 * (`load_state_dict(strict=False)`).
 */
export const TASK_HEADS_FILE = 'task_heads.safetensors';

/** The weights of `model`'s heads besides its default one, taken out of `weights`. */
export function takeExtraHeads(
  model: TaskModel,
  weights: Map<string, HostTensor>,
): Map<string, HostTensor> {
  const prefixes = model.heads.slice(1).map((head) => `${head.name}.`);
  const taken = new Map(
    [...weights].filter(([name]) => prefixes.some((prefix) => name.startsWith(prefix))),
  );
  for (const name of taken.keys()) weights.delete(name);
  return taken;
}

/** A classification head to add to a causal LM: its module name and its classes. */
export interface ClassificationHeadSpec {
  readonly name: string;
  readonly numLabels: number;
}

/**
 * Several heads on one trunk: a causal LM, whose `lm_head` stays the default head (so it generates
 * as before), with extra heads reading the same final hidden states, e.g. one `score` head per
 * classification task. Its children are the causal LM's own plus one module per extra head, so the
 * parameter names stay HF's (`model.layers.0...`, `lm_head`, `score`) and a PEFT adapter's keys for
 * the trunk are those of the causal LM and of `*ForSequenceClassification` alike. `forward` runs
 * the trunk once and the head asked for; an unused head is dropped from the graph.
 */
export class MultiHeadModel extends Module implements CausalLM {
  readonly heads: readonly ModelHead[];

  constructor(
    private readonly lm: CausalLM,
    extra: readonly { readonly name: string; readonly module: Module; readonly size: number }[],
  ) {
    super();
    const own = lm.namedModules().filter(([path]) => path !== '' && !path.includes('.'));
    for (const [path, child] of own) this.addModule(path, child);
    for (const { name, module } of extra) {
      if (own.some(([path]) => path === name) || name.includes('.'))
        throw new Error(
          `MultiHeadModel: '${name}' cannot name a head (a module of the model, or a path)`,
        );
      this.addModule(name, module);
    }
    this.heads = [...lm.heads, ...extra.map(({ name, size }) => ({ name, size }))];
  }

  /** `lm` with a seeded classification head (transformers' `score` initialisation) per spec. */
  static withClassificationHeads(
    lm: CausalLM,
    config: HfConfig,
    heads: readonly ClassificationHeadSpec[],
    seed?: number,
  ): MultiHeadModel {
    return new MultiHeadModel(
      lm,
      heads.map(({ name, numLabels }, i) => ({
        name,
        size: numLabels,
        module: scoreHead(config, { numLabels, name, seed: seed === undefined ? i : seed + i }),
      })),
    );
  }

  get shape(): CausalLMShape {
    return this.lm.shape;
  }

  /** A child of the causal LM swapped here (a PEFT wrapper of `lm_head`) is swapped in it too. */
  override setModule(path: string, module: Module): void {
    super.setModule(path, module);
    if (!path.includes('.') && this.lm.namedModules().some(([p]) => p === path))
      this.lm.setModule(path, module);
  }

  forward(ctx: TraceContext, inputs: CausalLMInputs, head?: string): CausalLMOutputs {
    const { name } = headOf(this, head);
    refusePrefixAdapters(this);
    const outputs = this.lm.forward(ctx, inputs);
    if (name === this.lm.heads[0].name) return outputs;
    if (!outputs.head)
      throw new Error(`${this.lm.constructor.name} gives no hidden states for head '${name}'`);
    const { hidden } = outputs.head;
    const project = (h: Tensor) => this.sub(name).forward(ctx, h);
    return { logits: project(hidden), head: { hidden, project } };
  }
}
