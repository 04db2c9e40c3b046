import type { ZodType } from 'zod';
import type { Module } from '../nn/index.js';
import type { Tokenizer } from '../tokenizer/index.js';
import type { LinearDispatcher } from './linear-dispatcher.js';
import type { PeftConfig } from './peft-config.js';

/** PEFT's `peft_type` of `method`, as saved in `adapter_config.json`. */
export function peftTypeOf(method: Pick<PeftMethod, 'id' | 'peftType'>): string {
  return method.peftType ?? method.id.toUpperCase();
}

/** What a method may use while it transforms a model. */
export interface PeftContext {
  /** Every registered `LinearDispatcher`; a method takes those made for it. */
  readonly dispatchers: readonly LinearDispatcher[];
  /** A seeded generator in [0, 1) for initialising adapter weights reproducibly. */
  readonly random: () => number;
  /** The path of the output head, which 'all-linear' leaves out ('lm_head'). */
  readonly outputHead: string;
  /** The model's `config.json` `model_type`, for per-architecture default target modules. */
  readonly modelType?: string;
  /**
   * The model's `config.json`, for methods whose config records the model's sizes (PEFT's
   * `_prepare_prompt_learning_config` fills `token_dim`, `num_layers`, `num_attention_heads`).
   */
  readonly modelConfig?: Readonly<Record<string, unknown>>;
  /** The model's tokenizer, for initialisations that tokenize a text (prompt tuning's TEXT). */
  readonly tokenizer?: Tokenizer;
}

/**
 * A parameter-efficient fine-tuning method (PEFT's `PeftType` with its tuner). It parses its
 * config, transforms the module tree before tracing (wrapping or replacing modules with
 * `AdapterLayer`s that add the trainable parameters), and saves and loads with PEFT's key names.
 * `PeftModel` does the rest (active adapter, enabling, merging, trainable flags, files) the same way
 * for every method.
 */
export interface PeftMethod<C extends PeftConfig = PeftConfig> {
  /** 'lora'; PEFT's `peft_type` is `id.toUpperCase()` unless `peftType` says otherwise. */
  readonly id: string;
  /**
   * PEFT's `peft_type` of a method that is a named variant of another (`p_tuning_v2` is
   * 'PREFIX_TUNING' without projection); default `id.toUpperCase()`.
   */
  readonly peftType?: string;
  /** 'lora_'; every parameter name the method adds contains it. Unique across methods. */
  readonly prefix: string;
  /** Prompt-learning methods (prefix/prompt/p-tuning) add virtual tokens instead of wrapping layers. */
  readonly isPromptLearning: boolean;
  /** The config with PEFT's field names and defaults (`r`, `lora_alpha`, `target_modules`). */
  readonly configSchema: ZodType<C>;
  /**
   * Adds adapter `adapterName` to `model` in place (PEFT's `inject_adapter`): puts an `AdapterLayer`
   * in place of each targeted module, or adds the adapter to the layer already there. Returns the
   * config as applied, e.g. with 'all-linear' expanded to module names; that is what is saved.
   */
  inject(model: Module, config: C, adapterName: string, ctx: PeftContext): C;
  /**
   * Paths of parameters outside the adapter layers that the config also trains and saves (LoRA's
   * `bias: 'all'`), saved under their own names.
   */
  extraTrainable?(model: Module, config: C): readonly string[];
  /**
   * The config as written to `adapter_config.json` (before `peft_type` and `inference_mode` are set);
   * by default every field. A method may leave out fields that older PEFT releases do not know.
   */
  savedConfig?(config: C): Record<string, unknown>;
  /**
   * The saved key of a parameter of an adapter layer at `modulePath`, keyed `localKey` by the layer.
   * Default: PEFT's `base_model.model.<modulePath>.<localKey>`.
   */
  stateKey?(modulePath: string, localKey: string): string;
}
