import { UserError } from '../errors/index.js';
import type { LayerCache } from '../nn/attention.js';
import type { Module } from '../nn/module.js';
import type { TraceContext } from '../nn/trace-context.js';
import type { CausalLMInputs, CausalLMOutputs } from './causal-lm.js';

/** What training, caches and PEFT need of a model's trunk (its decoder stack). */
export interface TrunkShape {
  readonly numLayers: number;
  readonly numKeyValueHeads: number;
  readonly headDim: number;
  /** Longest sequence the positional scheme supports (`max_position_embeddings`). */
  readonly maxPositions: number;
}

/** One output head of a task model: its name (the module path, e.g. `lm_head`, `score`) and width. */
export interface ModelHead {
  readonly name: string;
  /** Its outputs per position: the vocabulary, num_labels, or the hidden size of an embedding model. */
  readonly size: number;
}

/**
 * A model as the trainer sees it: a trunk whose final hidden states feed one or more output heads
 * (transformers' `*ForCausalLM`, `*ForSequenceClassification`, `AutoModel`, or several heads on
 * one trunk). `forward` runs the trunk once and the named head (the first of `heads` by default);
 * `logits` are that head's outputs at every position [B, T, size]. A third party's head plugin
 * implements this interface; only a `CausalLM` generates text.
 */
export interface TaskModel extends Module {
  readonly shape: TrunkShape;
  /** The heads `forward` can run, the default first. */
  readonly heads: readonly ModelHead[];
  forward(ctx: TraceContext, inputs: CausalLMInputs, head?: string): CausalLMOutputs;
  /** Tokens an active prefix-family adapter puts before every input (N); none when absent. */
  prefixLength?(): number;
  /** Their keys and values per layer [B, Hkv, N, D], for the first N slots of a KV cache. */
  tracePrefix?(ctx: TraceContext, batch: number): LayerCache[];
}

/** Head `name` of `model` (its default head when undefined); an unknown name lists the heads. */
export function headOf(model: TaskModel, name?: string): ModelHead {
  const head = name === undefined ? model.heads[0] : model.heads.find((h) => h.name === name);
  if (!head)
    throw new UserError(
      `${model.constructor.name} has no head '${name}' (its heads: ${model.heads.map((h) => h.name).join(', ')})`,
    );
  return head;
}
