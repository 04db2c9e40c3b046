import type { ZodType } from 'zod';

// The contracts plugins fill, kept to what is certain today; the issues that build each area
// (PEFT, data, models, training, metrics) extend them. Every extension point has a unique,
// lowercase `id` that configs use to name it (`peft: { method: lora }`).

/** A parameter-efficient fine-tuning method (PEFT's `PeftType`), e.g. LoRA. */
export interface PeftMethod<C extends object = object> {
  /** 'lora'; PEFT's `peft_type` is `id.toUpperCase()`. */
  readonly id: string;
  /** 'lora_'; every trainable parameter name the method adds contains it. Unique across methods. */
  readonly prefix: string;
  /** Prompt-learning methods (prefix/prompt/p-tuning) add virtual tokens instead of wrapping layers. */
  readonly isPromptLearning: boolean;
  /** The adapter config with PEFT's field names and defaults (`r`, `lora_alpha`, `target_modules`). */
  readonly configSchema: ZodType<C>;
}

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

export interface ChatMessage {
  readonly role: ChatRole;
  readonly content: string;
}

export interface ChatRenderOptions {
  /** Append the header that opens an assistant turn (HF `add_generation_prompt`). */
  readonly addGenerationPrompt?: boolean;
}

/** Where one message's text sits in the rendered string: `text.slice(start, end)`, UTF-16 offsets. */
export interface ChatSpan {
  readonly role: ChatRole;
  readonly start: number;
  readonly end: number;
}

/** Renders a conversation to the model's prompt format (ChatML, Alpaca, an HF Jinja template). */
export interface ChatTemplate {
  readonly id: string;
  /** The spans drive the loss mask: assistant spans (with their end-of-turn token) are supervised. */
  render(
    messages: readonly ChatMessage[],
    opts?: ChatRenderOptions,
  ): { readonly text: string; readonly spans: readonly ChatSpan[] };
}

/** A model architecture, matched against an HF `config.json` (transformers.js's family registry). */
export interface ModelFamily {
  readonly id: string;
  /** `config.json` `model_type` values it builds, e.g. ['llama', 'mistral']. */
  readonly modelTypes: readonly string[];
  /** `config.json` `architectures` entries it builds, e.g. ['LlamaForCausalLM']. */
  readonly architectures: readonly string[];
}

/** A shape of dataset record (plain text, Alpaca, messages, ShareGPT...). */
export interface DatasetFormat {
  readonly id: string;
  /** True when a parsed JSONL/JSON record has this format's fields. */
  detect(record: unknown): boolean;
}

/** Named scores, e.g. `{ perplexity: 12.3 }`. */
export type MetricValues = Readonly<Record<string, number>>;

/** An evaluation metric over some input (e.g. per-token losses and their masks). */
export interface Metric<I = unknown> {
  readonly id: string;
  compute(input: I): MetricValues | Promise<MetricValues>;
}

/** What a callback sees of the training loop (HF `TrainerState`, trimmed). */
export interface TrainerState {
  /** Optimizer steps taken so far. */
  readonly step: number;
  readonly maxSteps: number;
  /** Fractional epoch, e.g. 1.5 halfway through the second epoch. */
  readonly epoch: number;
  /** Loss of the latest step, when one has run. */
  readonly loss?: number;
  readonly learningRate?: number;
}

/** Hooks into the training loop; every hook is optional. Return a promise to make the loop wait. */
export interface TrainerCallback {
  readonly id: string;
  onTrainBegin?(state: TrainerState): void | Promise<void>;
  onStepEnd?(state: TrainerState): void | Promise<void>;
  onEvaluate?(state: TrainerState, metrics: MetricValues): void | Promise<void>;
  onTrainEnd?(state: TrainerState): void | Promise<void>;
}

/** Structured fields logged beside a message. */
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  debug?(message: string, fields?: LogFields): void;
}

/** The validated run configuration; the config issue replaces this with its zod-inferred type. */
export type RunConfig = Readonly<Record<string, unknown>>;
